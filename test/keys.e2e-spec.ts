import request from 'supertest';
import { startTestApp, TestApp } from '@cave/testing';
import { createApp } from '../apps/cave-daemon/src/bootstrap/create-app';

const ADMIN = 'cave_sk_' + 'x'.repeat(40);
const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });

describe('API keys over real HTTP', () => {
  let t: TestApp;
  const api = () => request(t.url);
  const issue = async (body: Record<string, unknown>, key = ADMIN) => api().post('/api/v1/auth/keys').set(bearer(key)).send(body);

  beforeAll(async () => {
    t = await startTestApp(createApp, { CAVE_BOOTSTRAP_ADMIN_KEY: ADMIN });
  });
  afterAll(() => t.close());

  it('refuses a member key in the system namespace, whose storage holds every tenant\'s sandbox blobs', async () => {
    const res = await api().post('/api/v1/auth/keys').set(bearer(ADMIN)).send({ namespace: 'system', name: 'peek', role: 'member' }).expect(403);
    expect(res.body.code).toBe('KEYS.RESERVED_NAMESPACE');
    const { rows } = await t.database.db.admin.query(`select count(*)::int as n from api_keys where namespace = 'system' and role = 'member'`);
    expect(rows[0].n).toBe(0);
  });

  it('issues a key shown once, stored only as a hash, usable right away', async () => {
    const res = await api().post('/api/v1/auth/keys').set(bearer(ADMIN)).set('X-Request-Id', 'corr-e2e-1').send({ namespace: 'acme', name: 'ci', role: 'member' });
    expect(res.status).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      key: expect.stringMatching(/^cave_sk_[A-Za-z0-9_-]{43}$/),
      prefix: res.body.key.slice(0, 12),
      namespace: 'acme',
      name: 'ci',
      role: 'member',
      createdAt: expect.any(String),
    });
    const { rows } = await t.database.db.admin.query('select secret_sha256 from api_keys where id = $1', [res.body.id]);
    expect(rows[0].secret_sha256).toMatch(/^[0-9a-f]{64}$/);
    const events = await t.database.db.admin.query(`select namespace, stream_id, data::text, metadata from events where stream_type = 'api_key'`);
    for (const e of events.rows) expect(e.data).not.toContain(res.body.key.slice(12));
    const mine = events.rows.find((e) => e.stream_id === `api_key-${res.body.id}`)!;
    expect(mine.namespace).toBe('acme');
    const admin = await t.database.db.admin.query(`select id from api_keys where namespace = 'system'`);
    expect(mine.metadata).toEqual({ actor: admin.rows[0].id, correlationId: 'corr-e2e-1', channel: 'http' });
    await api().get('/api/v1/auth/keys').set(bearer(res.body.key)).expect(200);
  });

  it('lists keys: admins all or one namespace, members only their own, never secrets or hashes', async () => {
    const a = (await issue({ namespace: 'list-a', name: 'a', role: 'member' })).body;
    const b = (await issue({ namespace: 'list-b', name: 'b', role: 'member' })).body;
    const all = await api().get('/api/v1/auth/keys').set(bearer(ADMIN)).expect(200);
    const ids = all.body.items.map((k: { id: string }) => k.id);
    expect(ids).toEqual(expect.arrayContaining([a.id, b.id]));
    expect(all.body.items.find((k: { namespace: string }) => k.namespace === 'system')).toMatchObject({ role: 'admin', status: 'active' });

    const onlyA = await api().get('/api/v1/auth/keys?namespace=list-a').set(bearer(ADMIN)).expect(200);
    expect(onlyA.body.items).toEqual([
      { id: a.id, namespace: 'list-a', name: 'a', role: 'member', prefix: a.prefix, status: 'active', createdAt: a.createdAt, revokedAt: null },
    ]);

    const asB = await api().get('/api/v1/auth/keys').set(bearer(b.key)).expect(200);
    expect(asB.body.items.map((k: { id: string }) => k.id)).toEqual([b.id]);
    const peek = await api().get('/api/v1/auth/keys?namespace=list-a').set(bearer(b.key)).expect(200);
    expect(peek.body.items).toEqual([]);

    const text = JSON.stringify(all.body);
    expect(text).not.toContain(a.key);
    expect(text).not.toMatch(/[0-9a-f]{64}/);
    expect(text).not.toContain('x'.repeat(20));
  });

  it('never shows the stored key digest to clients: admin history redacts it', async () => {
    const res = await issue({ namespace: 'acme', name: 'digest-check', role: 'member' });
    const history = await api().get('/api/v1/admin/events').query({ streamId: `api_key-${res.body.id}` }).set(bearer(ADMIN)).expect(200);
    expect(history.body.items).toHaveLength(1);
    expect(history.body.items[0].data.secretSha256).toBe('[redacted]');
    expect(history.body.items[0].data.prefix).toBe(res.body.prefix);
    const { rows } = await t.database.db.admin.query('select secret_sha256 from api_keys where id = $1', [res.body.id]);
    expect(JSON.stringify(history.body)).not.toContain(rows[0].secret_sha256);
  });

  it('gets one key; other tenants and guessed ids get 404', async () => {
    const a = (await issue({ namespace: 'get-a', name: 'a', role: 'member' })).body;
    const b = (await issue({ namespace: 'get-b', name: 'b', role: 'member' })).body;
    await api().get(`/api/v1/auth/keys/${a.id}`).set(bearer(a.key)).expect(200);
    await api().get(`/api/v1/auth/keys/${a.id}`).set(bearer(ADMIN)).expect(200);
    const res = await api().get(`/api/v1/auth/keys/${a.id}`).set(bearer(b.key)).expect(404);
    expect(res.body.code).toBe('KEYS.NOT_FOUND');
    await api().get('/api/v1/auth/keys/00000000-0000-4000-8000-000000000000').set(bearer(ADMIN)).expect(404);
  });

  it('revokes: the key fails on its very next request; a repeat DELETE is a no-op 204', async () => {
    const k = (await issue({ namespace: 'rev', name: 'r', role: 'member' })).body;
    await api().get('/api/v1/auth/keys').set(bearer(k.key)).expect(200);
    await api().delete(`/api/v1/auth/keys/${k.id}`).set(bearer(ADMIN)).expect(204);
    const denied = await api().get('/api/v1/auth/keys').set(bearer(k.key)).expect(401);
    expect(denied.body).toMatchObject({ status: 401, code: 'KEYS.UNAUTHORIZED' });
    await api().delete(`/api/v1/auth/keys/${k.id}`).set(bearer(ADMIN)).expect(204);
    const events = await t.database.db.admin.query(`select event_type from events where stream_id = $1 order by stream_version`, [`api_key-${k.id}`]);
    expect(events.rows.map((r) => r.event_type)).toEqual(['key_issued', 'key_revoked']);
    const listed = await api().get(`/api/v1/auth/keys/${k.id}`).set(bearer(ADMIN)).expect(200);
    expect(listed.body).toMatchObject({ status: 'revoked', revokedAt: expect.any(String) });
  });

  it('lets members revoke member keys of their namespace only, never admin keys', async () => {
    const m1 = (await issue({ namespace: 'team', name: 'm1', role: 'member' })).body;
    const m2 = (await issue({ namespace: 'team', name: 'm2', role: 'member' })).body;
    const adm = (await issue({ namespace: 'team', name: 'boss', role: 'admin' })).body;
    const other = (await issue({ namespace: 'other', name: 'o', role: 'member' })).body;
    await api().delete(`/api/v1/auth/keys/${other.id}`).set(bearer(m1.key)).expect(404);
    const forbidden = await api().delete(`/api/v1/auth/keys/${adm.id}`).set(bearer(m1.key)).expect(403);
    expect(forbidden.body.code).toBe('KEYS.FORBIDDEN');
    await api().delete(`/api/v1/auth/keys/${m2.id}`).set(bearer(m1.key)).expect(204);
    await api().get('/api/v1/auth/keys').set(bearer(m2.key)).expect(401);
    await api().get('/api/v1/auth/keys').set(bearer(other.key)).expect(200);
    await api().get('/api/v1/auth/keys').set(bearer(adm.key)).expect(200);
  });

  describe('401 as problem+json with a Bearer challenge', () => {
    it.each([
      ['missing', undefined],
      ['empty', ''],
      ['not Bearer', 'Basic dXNlcjpwYXNz'],
      ['malformed token', 'Bearer cave_sk_short'],
      ['two tokens', `Bearer ${ADMIN} ${ADMIN}`],
      ['unknown key', `Bearer cave_sk_${'u'.repeat(43)}`],
    ])('%s', async (_, header) => {
      const req = api().get('/api/v1/auth/keys');
      if (header !== undefined) req.set('Authorization', header);
      const res = await req.expect(401);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(res.body).toMatchObject({ status: 401, title: 'Unauthorized', code: 'KEYS.UNAUTHORIZED' });
      if (header) expect(JSON.stringify(res.body)).not.toContain(header.split(' ').pop());
    });

    it('checks the key before the body', async () => {
      await api().post('/api/v1/auth/keys').send({ bogus: true }).expect(401);
    });
  });

  it('gives 403 to a member on an admin route', async () => {
    const m = (await issue({ namespace: 'acme', name: 'member', role: 'member' })).body;
    const res = await issue({ namespace: 'acme', name: 'x', role: 'admin' }, m.key);
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ status: 403, code: 'KEYS.FORBIDDEN' });
  });

  describe('validation: 400 problem+json, never 500', () => {
    it.each([
      ['bad namespace', { namespace: 'Acme!', name: 'n', role: 'member' }, 'namespace'],
      ['long namespace', { namespace: 'a'.repeat(64), name: 'n', role: 'member' }, 'namespace'],
      ['empty name', { namespace: 'acme', name: '', role: 'member' }, 'name'],
      ['long name', { namespace: 'acme', name: 'n'.repeat(101), role: 'member' }, 'name'],
      ['bad role', { namespace: 'acme', name: 'n', role: 'root' }, 'role'],
      ['wrong type', { namespace: 42, name: 'n', role: 'member' }, 'namespace'],
      ['missing field', { namespace: 'acme', role: 'member' }, 'name'],
      ['unknown field', { namespace: 'acme', name: 'n', role: 'member', key: 'cave_sk_mine' }, 'key'],
    ])('%s', async (_, body, field) => {
      const res = await issue(body);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ status: 400, code: 'HTTP.VALIDATION' });
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });

    it('rejects bad JSON, a malformed id and a bad filter', async () => {
      const bad = await api().post('/api/v1/auth/keys').set(bearer(ADMIN)).set('Content-Type', 'application/json').send('{"namespace":');
      expect(bad.status).toBe(400);
      const id = await api().delete('/api/v1/auth/keys/not-a-uuid').set(bearer(ADMIN)).expect(400);
      expect(id.body.errors).toEqual([{ field: 'id', message: 'id must be a UUID' }]);
      await api().get('/api/v1/auth/keys?namespace=Bad!').set(bearer(ADMIN)).expect(400);
      await api().get('/api/v1/auth/keys?other=1').set(bearer(ADMIN)).expect(400);
      await api().delete('/api/v1/auth/keys/00000000-0000-4000-8000-000000000000').set(bearer(ADMIN)).expect(404);
    });
  });

  it('keeps /healthz, /metrics and the docs public and documents the key routes', async () => {
    await api().get('/healthz').expect(200);
    const metrics = await api().get('/metrics').set(bearer(ADMIN)).expect(200);
    expect(metrics.text).toMatch(/cave_auth_failures_total\{reason="invalid"\} [1-9]/);
    const doc = await api().get('/docs-json').expect(200);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/api/v1/auth/keys', '/api/v1/auth/keys/{id}']));
    expect(doc.body.paths['/api/v1/auth/keys'].post.security).toEqual([{ apiKey: [] }]);
  });
});
