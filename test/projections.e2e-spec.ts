import request from 'supertest';
import { EventStore } from '@cave/event-store';
import { ProjectionRegistry, StreamFoldRegistry } from '@cave/projections';
import { createReadModelTable, tallyProjection } from '../libs/projections/test/projection.fixture';
import { startTestApp, TestApp, waitFor } from '@cave/testing';
import { createApp } from '../apps/cave-daemon/src/bootstrap/create-app';

jest.setTimeout(60_000);

const ADMIN = 'cave_sk_' + 'p'.repeat(40);
const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });

interface LampState {
  status: 'none' | 'installed' | 'on' | 'off';
  watts: number;
}

describe('projections admin and time travel over real HTTP', () => {
  let t: TestApp;
  let store: EventStore;
  let memberKey: string;
  const api = () => request(t.url);

  beforeAll(async () => {
    t = await startTestApp(createApp, { CAVE_BOOTSTRAP_ADMIN_KEY: ADMIN });
    store = t.app.get(EventStore);
    t.app.get(StreamFoldRegistry).register<LampState>('lamp', {
      initialState: { status: 'none', watts: 0 },
      evolve: (s, e) => {
        const d = e.data as { watts?: number };
        switch (e.type) {
          case 'lamp_installed':
            return { status: 'installed', watts: d.watts ?? 0 };
          case 'lamp_switched_on':
            return { ...s, status: 'on' };
          case 'lamp_switched_off':
            return { ...s, status: 'off' };
          default:
            return s;
        }
      },
    });
    const member = await api().post('/api/v1/auth/keys').set(bearer(ADMIN)).send({ namespace: 'home', name: 'm', role: 'member' }).expect(201);
    memberKey = member.body.key;
  });
  afterAll(() => t.close());

  it('time travel returns the state and version before and after a transition', async () => {
    const opts = { namespace: 'home', streamType: 'lamp' };
    const installed = await store.append('lamp-1', 'no_stream', [{ type: 'lamp_installed', data: { watts: 40 } }], opts);
    const on = await store.append('lamp-1', 1, [{ type: 'lamp_switched_on', data: {} }], opts);
    await store.append('lamp-1', 2, [{ type: 'lamp_switched_off', data: {} }], opts);

    const before = await api().get(`/api/v1/admin/streams/lamp-1?at=${on.globalPositions[0] - 1}`).set(bearer(ADMIN)).expect(200);
    expect(before.body).toMatchObject({ streamId: 'lamp-1', streamType: 'lamp', namespace: 'home', version: 1, globalPosition: installed.globalPositions[0], state: { status: 'installed', watts: 40 } });
    const after = await api().get(`/api/v1/admin/streams/lamp-1?at=${on.globalPositions[0]}`).set(bearer(ADMIN)).expect(200);
    expect(after.body).toMatchObject({ version: 2, state: { status: 'on', watts: 40 } });
    const now = await api().get('/api/v1/admin/streams/lamp-1').set(bearer(ADMIN)).expect(200);
    expect(now.body).toMatchObject({ version: 3, state: { status: 'off' } });
    const atNow = await api().get(`/api/v1/admin/streams/lamp-1?at=${encodeURIComponent(new Date(Date.now() + 1000).toISOString())}`).set(bearer(ADMIN)).expect(200);
    expect(atNow.body.version).toBe(3);

    const tooEarly = await api().get('/api/v1/admin/streams/lamp-1?at=2000-01-01T00:00:00Z').set(bearer(ADMIN)).expect(404);
    expect(tooEarly.body.code).toBe('STREAM.NOT_FOUND');
    const bad = await api().get('/api/v1/admin/streams/lamp-1?at=yesterday').set(bearer(ADMIN)).expect(400);
    expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(bad.body.code).toBe('STREAM.INVALID_AT');
    expect((await api().get('/api/v1/admin/streams/nope-1').set(bearer(ADMIN)).expect(404)).body.code).toBe('STREAM.NOT_FOUND');
    await store.append('gizmo-1', 'no_stream', [{ type: 'gizmo_made', data: {} }], { namespace: 'home', streamType: 'gizmo' });
    expect((await api().get('/api/v1/admin/streams/gizmo-1').set(bearer(ADMIN)).expect(422)).body.code).toBe('STREAM.NO_FOLD');

    await api().get('/api/v1/admin/streams/lamp-1').expect(401);
    await api().get('/api/v1/admin/streams/lamp-1').set(bearer(memberKey)).expect(403);
  });

  it('rebuild progress (position, events/s, ETA) is observable while it runs, then the swap completes', async () => {
    await createReadModelTable(t.database.ownerUrl, 'e2e_tally');
    for (let i = 0; i < 40; i++) {
      const events = Array.from({ length: 100 }, (_, j) => ({ type: 'tick', data: { n: i * 100 + j } }));
      await store.append(`tick-${i % 8}`, 'any', events, { namespace: 'home', streamType: 'tick' });
    }
    t.app.get(ProjectionRegistry).register(tallyProjection({ name: 'e2e-tally', table: 'e2e_tally', batchSize: 50 }));
    const get = () => api().get('/api/v1/admin/projections/e2e-tally').set(bearer(ADMIN)).expect(200);
    await waitFor(async () => {
      const b = (await get()).body;
      return b.status === 'running' && b.lagEvents === 0 && b.leaderAlive ? b : undefined;
    }, 20_000, 'projection caught up');

    const requested = await api().post('/api/v1/admin/projections/e2e-tally/rebuild').set(bearer(ADMIN)).expect(202);
    expect(requested.body.rebuild.status).toMatch(/requested|running/);
    const snapshots: { status: string; position: number | null; eventsPerSecond: number | null; etaSeconds: number | null }[] = [];
    const done = await waitFor(async () => {
      const b = (await get()).body;
      snapshots.push(b.rebuild);
      return b.rebuild.status === 'done' ? b : undefined;
    }, 30_000, 'rebuild done');
    const running = snapshots.filter((s) => s.status === 'running' && (s.position ?? 0) > 0);
    expect(running.length).toBeGreaterThan(0);
    expect(running.some((s) => (s.eventsPerSecond ?? 0) > 0 && typeof s.etaSeconds === 'number')).toBe(true);
    expect(done.rebuild).toMatchObject({ status: 'done', etaSeconds: null, error: null });
    expect(done.rebuild.eventsProcessed).toBeGreaterThanOrEqual(4000);

    const list = await api().get('/api/v1/admin/projections').set(bearer(ADMIN)).expect(200);
    expect(list.body.items.map((p: { name: string }) => p.name)).toContain('e2e-tally');
    const metrics = await api().get('/metrics').set('authorization', `Bearer ${ADMIN}`).expect(200);
    expect(metrics.text).toMatch(/cave_projection_position\{projection="e2e-tally"\} \d+/);
    expect(metrics.text).toMatch(/cave_projection_lag_events\{projection="e2e-tally"\} \d+/);
    expect(metrics.text).toContain('cave_projection_errors_total');
  });

  it('shows a poison event over HTTP; retry and a body-less skip resume the projector', async () => {
    await createReadModelTable(t.database.ownerUrl, 'e2e_poison');
    let broken = true;
    t.app.get(ProjectionRegistry).register(
      tallyProjection({
        name: 'e2e-poison',
        table: 'e2e_poison',
        before: (e) => {
          if ((e.data as { e2ePoison?: boolean }).e2ePoison && broken) throw new Error('cannot project this one');
        },
      }),
    );
    const bad = (await store.append('tick-poison', 'any', [{ type: 'tick', data: { e2ePoison: true } }], { namespace: 'home', streamType: 'tick' })).globalPositions[0];
    const get = async () => (await api().get('/api/v1/admin/projections/e2e-poison').set(bearer(ADMIN)).expect(200)).body;
    const failed = await waitFor(async () => {
      const b = await get();
      return b.status === 'failed' ? b : undefined;
    }, 20_000, 'failed');
    expect(failed.failure).toMatchObject({ globalPosition: bad, eventType: 'tick', message: expect.stringContaining('cannot project this one') });
    // A stopped projector degrades health but the daemon still serves: HTTP 200, no error text on the public probe.
    const health = await api().get('/healthz').set('authorization', `Bearer ${ADMIN}`).expect(200);
    expect(health.body.status).toBe('degraded');
    expect(health.body.checks.projections).toMatchObject({ status: 'down', error: expect.stringContaining(`e2e-poison stopped at position ${bad}`) });
    expect(health.body.checks.projections.items).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'e2e-poison', status: 'failed', failedAt: { globalPosition: bad, eventType: 'tick' } })]),
    );
    expect(JSON.stringify(health.body)).not.toContain('cannot project this one');
    expect((await api().post('/api/v1/admin/projections/e2e-poison/skip').set(bearer(ADMIN)).send({ globalPosition: bad + 1 }).expect(409)).body.code).toBe(
      'PROJECTION.SKIP_POSITION_MISMATCH',
    );
    await api().post('/api/v1/admin/projections/e2e-poison/retry').set(bearer(ADMIN)).expect(200);
    await waitFor(async () => ((await get()).status === 'failed' && (await get()).failure.at !== failed.failure.at ? true : undefined), 20_000, 'failed again');
    const skipped = await api().post('/api/v1/admin/projections/e2e-poison/skip').set(bearer(ADMIN)).expect(200);
    expect(skipped.body).toMatchObject({ status: 'running', failure: null });
    expect(skipped.body.position).toBeGreaterThanOrEqual(bad); // moved exactly past it (the runner may already be further)
    const decisions = await store.readStream('projection-e2e-poison', { namespace: 'system' });
    expect(decisions.map((e) => e.type)).toEqual(['projection_retried', 'projection_event_skipped']);
    broken = false;
    expect((await api().get('/healthz').set('authorization', `Bearer ${ADMIN}`).expect(200)).body.checks.projections.status).toBe('up');
  });

  it('answers admin actions with problem+json: unknown projection 404, nothing to retry 409, member 403', async () => {
    expect((await api().post('/api/v1/admin/projections/nope/retry').set(bearer(ADMIN)).expect(404)).body.code).toBe('PROJECTION.NOT_FOUND');
    await waitFor(async () => ((await api().get('/api/v1/admin/projections/e2e-tally').set(bearer(ADMIN))).status === 200 ? true : undefined));
    expect((await api().post('/api/v1/admin/projections/e2e-tally/retry').set(bearer(ADMIN)).expect(409)).body.code).toBe('PROJECTION.NOT_FAILED');
    expect((await api().post('/api/v1/admin/projections/e2e-tally/skip').set(bearer(ADMIN)).send({ globalPosition: 'x' }).expect(400)).body.code).toBe('HTTP.VALIDATION');
    await api().get('/api/v1/admin/projections').set(bearer(memberKey)).expect(403);
    await api().post('/api/v1/admin/projections/e2e-tally/rebuild').expect(401);
  });
});
