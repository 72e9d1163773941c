import { ProjectionAdminService } from '../admin/projection-admin.service';
import { ProjectionView } from '../admin/projection.view';
import { ProjectionsHealth } from './projections.health';

const view = (over: Partial<ProjectionView>): ProjectionView => ({
  name: 'p', registered: true, version: 1, status: 'running', position: 10, cursor: '1:10', headPosition: 12, lagEvents: 2,
  leader: 'host:1:abc', leaderAlive: true, failure: null, rebuild: null, tables: [], rebuildable: false, updatedAt: null, ...over,
});
const health = (views: ProjectionView[]) => new ProjectionsHealth({ list: async () => views } as unknown as ProjectionAdminService);

describe('ProjectionsHealth', () => {
  it('is up with every registered projector running and led, and reports their lag', async () => {
    const r = await health([view({ name: 'audit' }), view({ name: 'gone', registered: false, leaderAlive: false })]).check();
    expect(r).toEqual({ status: 'up', items: [{ name: 'audit', status: 'running', position: 10, lagEvents: 2, leaderAlive: true }] });
  });

  it('is down (non-critical) for a failed or leaderless projector, without error text or instance ids', async () => {
    const h = health([
      view({ name: 'audit', status: 'failed', failure: { message: 'secret detail', globalPosition: 11, eventId: null, eventType: 'x', at: null } }),
      view({ name: 'sandboxes', leaderAlive: false }),
    ]);
    const r = await h.check();
    expect(h.critical).toBe(false);
    expect(r.status).toBe('down');
    expect(r.error).toBe('audit stopped at position 11; no instance leads sandboxes');
    expect(r.items).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'audit', failedAt: { globalPosition: 11, eventType: 'x' } })]));
    expect(JSON.stringify(r)).not.toMatch(/secret detail|host:1/);
  });
});
