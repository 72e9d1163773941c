import { Checkpoint } from '../runtime/checkpoint.store';
import { toView } from './projection.view';

const cp = (over: Partial<Checkpoint>): Checkpoint => ({
  name: 'p', version: 1, cursor: '10:100', position: 100, status: 'running', error: null, failedPosition: null, failedCursor: null,
  failedEventId: null, failedEventType: null, failedAt: null, leader: 'a', leaderSince: null, rebuildStatus: null, rebuildCursor: null,
  rebuildPosition: null, rebuildEvents: 0, rebuildRate: null, rebuildError: null, rebuildRequestedAt: null, rebuildStartedAt: null,
  rebuildFinishedAt: null, updatedAt: new Date(0), ...over,
});

describe('toView', () => {
  it('derives lag from the head and the ETA of a running rebuild from its rate', () => {
    const v = toView('p', cp({ rebuildStatus: 'running', rebuildPosition: 400, rebuildRate: 250.4, rebuildEvents: 400 }), undefined, 1400, true);
    expect(v.lagEvents).toBe(1300);
    expect(v.rebuild).toMatchObject({ status: 'running', position: 400, eventsPerSecond: 250, etaSeconds: 4 });
  });

  it('has no ETA before a rate is known or once the rebuild is done', () => {
    expect(toView('p', cp({ rebuildStatus: 'running', rebuildPosition: 0 }), undefined, 10, true).rebuild?.etaSeconds).toBeNull();
    expect(toView('p', cp({ rebuildStatus: 'done', rebuildPosition: 10, rebuildRate: 5 }), undefined, 99, true).rebuild?.etaSeconds).toBeNull();
  });

  it('shows a registered projection no instance has led yet as pending', () => {
    const v = toView('q', undefined, { name: 'q', version: 3, tables: ['t'], handle: async () => undefined }, 50, false);
    expect(v).toMatchObject({ status: 'pending', version: 3, position: 0, lagEvents: 50, registered: true, leaderAlive: false, tables: ['t'] });
  });

  it('exposes the failure of a stopped projector', () => {
    const v = toView('p', cp({ status: 'failed', error: 'boom', failedPosition: 101, failedEventType: 'x' }), undefined, 200, true);
    expect(v.failure).toMatchObject({ message: 'boom', globalPosition: 101, eventType: 'x' });
  });
});
