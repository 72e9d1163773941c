import request from 'supertest';
import { startTestApp, TestApp } from '@cave/testing';
import { createApp } from '../apps/cave-daemon/src/bootstrap/create-app';

const ADMIN = 'cave_sk_' + 'o'.repeat(40);

describe('daemon operations endpoints (real HTTP, real Postgres)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(createApp, { CAVE_BOOTSTRAP_ADMIN_KEY: ADMIN });
  });
  afterAll(() => t.close());

  it('GET /healthz reports the database, migrations and every projector to an admin key', async () => {
    const res = await request(t.url).get('/healthz').set('authorization', `Bearer ${ADMIN}`).expect(200);
    expect(res.body).toMatchObject({ status: 'ok', checks: { database: { status: 'up' }, migrations: { status: 'up', pending: [] } } });
    const projections = res.body.checks.projections;
    expect(projections.status).toBe('up');
    expect(projections.items.map((p: { name: string }) => p.name)).toEqual(['audit', 'llm_usage', 'models', 'sandboxes', 'webhooks']);
    for (const p of projections.items) expect(p).toMatchObject({ status: 'running', leaderAlive: true, position: expect.any(Number), lagEvents: expect.any(Number) });
  });

  it('GET /metrics serves Prometheus text with HTTP and event-store metrics', async () => {
    await request(t.url).get('/healthz');
    const res = await request(t.url).get('/metrics').set('authorization', `Bearer ${ADMIN}`).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toContain('cave_events_appended_total');
    expect(res.text).toMatch(/cave_http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} \d+/);
    expect(res.text).toContain('process_cpu_user_seconds_total');
  });

  it('serves the OpenAPI document and Swagger UI', async () => {
    const json = await request(t.url).get('/docs-json').expect(200);
    expect(json.body.openapi).toMatch(/^3\./);
    expect(Object.keys(json.body.paths)).toEqual(expect.arrayContaining(['/healthz', '/metrics']));
    await request(t.url).get('/docs').expect(200);
  });

  it('answers unknown routes with problem+json 404', async () => {
    const res = await request(t.url).get('/nope').expect(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 404, title: 'Not Found', code: 'HTTP.NOT_FOUND' });
  });
});
