import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { startTestApp, TestApp, waitFor } from '@cave/testing';
import { verifyLogFile } from '@cave/audit';
import { createApp } from '../apps/cave-daemon/src/bootstrap/create-app';
import { createHash, createPublicKey, verify } from 'node:crypto';

const ADMIN = 'cave_sk_' + 'a'.repeat(40);
const HMAC = 'e2e-audit-hmac-key-0123456789abcdef';
const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });

/** RFC 9162 section 2.1.3.2, written out again here so the test does not trust the server's code. */
function rootFromPath(index: number, size: number, leaf: Buffer, path: Buffer[]): Buffer {
  const node = (l: Buffer, r: Buffer) => createHash('sha256').update(Buffer.from([1])).update(l).update(r).digest();
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of path) {
    if (fn % 2 === 1 || fn === sn) {
      r = node(p, r);
      while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
    } else r = node(r, p);
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return r;
}

describe('audit log over real HTTP', () => {
  let t: TestApp;
  let dataDir: string;
  const api = () => request(t.url);
  let member: { key: string; namespace: string };
  let other: { key: string };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'cave-audit-e2e-'));
    t = await startTestApp(createApp, { CAVE_BOOTSTRAP_ADMIN_KEY: ADMIN, CAVE_AUDIT_LOG_HMAC_KEY: HMAC, CAVE_DATA_DIR: dataDir });
    member = (await api().post('/api/v1/auth/keys').set(bearer(ADMIN)).send({ namespace: 'audit-a', name: 'm', role: 'member' }).expect(201)).body;
    other = (await api().post('/api/v1/auth/keys').set(bearer(ADMIN)).send({ namespace: 'audit-b', name: 'o', role: 'member' }).expect(201)).body;
  });
  afterAll(async () => {
    await t.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const auditedCount = async () => {
    const events = Number((await t.database.db.admin.query('select count(*) as n from events')).rows[0].n);
    const res = await api().get('/api/v1/admin/audit/entries?limit=1000').set(bearer(ADMIN)).expect(200);
    return res.body.entries.length === events ? events : undefined;
  };

  it('audits every event and serves signed checkpoints, proofs and entries to admins', async () => {
    const size = await waitFor(auditedCount, 10_000, 'every event audited');
    const page = await api().get('/api/v1/admin/audit/entries?after=0&limit=1').set(bearer(ADMIN)).expect(200);
    expect(page.body.entries[0]).toMatchObject({ seq: 1, hmac: expect.any(String), keyId: createHash('sha256').update(HMAC).digest('hex').slice(0, 8) });
    expect(JSON.stringify(page.body)).not.toContain(HMAC);

    const cpRes = await api().get('/api/v1/admin/audit/checkpoint').set(bearer(ADMIN)).expect(200);
    expect(cpRes.headers['content-type']).toMatch(/^text\/plain/);
    const keyRes = await api().get('/api/v1/admin/audit/public-key').set(bearer(ADMIN)).expect(200);
    const [name, , ...rest] = keyRes.text.trim().split('+');
    const pub = Buffer.from(rest.join('+'), 'base64').subarray(1);
    const [text, sigs] = [cpRes.text.slice(0, cpRes.text.indexOf('\n\n') + 1), cpRes.text.slice(cpRes.text.indexOf('\n\n') + 2)];
    const [origin, treeSize, rootB64] = text.split('\n');
    expect(origin).toBe(name);
    expect(Number(treeSize)).toBe(size);
    const sig = Buffer.from(sigs.trim().split(' ')[2], 'base64').subarray(4);
    expect(verify(null, Buffer.from(text), createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: pub.toString('base64url') }, format: 'jwk' }), sig)).toBe(true);

    const lines = readFileSync(t.config.audit.logPath, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(size);
    const seq = size - 1;
    const proof = await api().get(`/api/v1/admin/audit/proof/inclusion?seq=${seq}&treeSize=${size}`).set(bearer(ADMIN)).expect(200);
    expect(proof.body).toMatchObject({ leafIndex: seq, treeSize: size });
    const leaf = createHash('sha256').update(Buffer.from([0])).update(lines[seq]).digest();
    expect(rootFromPath(seq, size, leaf, proof.body.hashes.map((h: string) => Buffer.from(h, 'base64'))).toString('base64')).toBe(rootB64);

    const cons = await api().get(`/api/v1/admin/audit/proof/consistency?from=1&to=${size}`).set(bearer(ADMIN)).expect(200);
    expect(cons.body).toMatchObject({ from: 1, to: size });
    expect(cons.body.hashes.length).toBeGreaterThan(0);

    const offline = await verifyLogFile(t.config.audit.logPath, { hmacKey: HMAC, checkpoint: cpRes.text, publicKey: keyRes.text });
    expect(offline).toMatchObject({ ok: true, entries: size });
    const online = await api().post('/api/v1/admin/audit/verify').set(bearer(ADMIN)).expect(200);
    expect(online.body).toMatchObject({ ok: true, table: { ok: true, hmacChecked: true }, completeness: { pending: 0 }, file: { ok: true } });
  });

  it('gives members proofs for their own namespace only and keeps admin endpoints from them', async () => {
    await waitFor(auditedCount, 10_000, 'every event audited');
    const own = (await t.database.db.admin.query(`select event_id from events where namespace = 'audit-a' limit 1`)).rows[0].event_id;
    const res = await api().get(`/api/v1/audit/entries/${own}/proof`).set(bearer(member.key)).expect(200);
    expect(res.body).toMatchObject({ entry: { eventId: own, namespace: 'audit-a' }, checkpoint: expect.stringContaining('\n\n\u2014 ') });
    await api().get(`/api/v1/audit/entries/${own}/proof`).set(bearer(other.key)).expect(404);
    await api().get('/api/v1/audit/entries/not-a-uuid/proof').set(bearer(member.key)).expect(404);
    await api().get('/api/v1/admin/audit/checkpoint').set(bearer(member.key)).expect(403);
    await api().post('/api/v1/admin/audit/verify').set(bearer(member.key)).expect(403);
    await api().get('/api/v1/admin/audit/entries').expect(401);
  });

  it('audits the sandbox lifecycle under the seed names, provable by the member who ran it', async () => {
    const sb = (await api().post('/api/v1/sandboxes').set(bearer(member.key)).send({ name: 'audited', runtime: 'javascript', mode: 'quick' }).expect(201)).body;
    for (const action of ['start', 'stop']) await api().post(`/api/v1/sandboxes/${sb.id}/${action}`).set(bearer(member.key)).expect(200);
    await api().delete(`/api/v1/sandboxes/${sb.id}`).set(bearer(member.key)).expect(200);
    const ids = (await t.database.db.admin.query(`select event_id from events where stream_id like $1 order by stream_version`, [`%${sb.id}`])).rows.map((r) => r.event_id);
    expect(ids).toHaveLength(4);
    await waitFor(auditedCount, 10_000, 'sandbox events audited');
    const types: string[] = [];
    for (const id of ids) {
      const proof = await api().get(`/api/v1/audit/entries/${id}/proof`).set(bearer(member.key)).expect(200);
      expect(proof.body.entry).toMatchObject({ namespace: 'audit-a', actor: expect.any(String) });
      types.push(proof.body.entry.eventType);
      await api().get(`/api/v1/audit/entries/${id}/proof`).set(bearer(other.key)).expect(404);
    }
    expect(types).toEqual(['sandbox_created', 'sandbox_started', 'sandbox_stopped', 'sandbox_deleted']);
  });

  it('answers bad proof requests with 400 problem details, never 500', async () => {
    for (const q of ['proof/inclusion?seq=abc', 'proof/inclusion?seq=1&treeSize=999999', 'proof/inclusion', 'proof/consistency?from=5&to=2', 'entries?limit=5000', 'entries?after=-1']) {
      const res = await api().get(`/api/v1/admin/audit/${q}`).set(bearer(ADMIN));
      expect([q, res.status]).toEqual([q, 400]);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    }
  });

  it('exports audit lag, entries written and checkpoint size', async () => {
    await waitFor(auditedCount, 10_000, 'every event audited');
    await api().get('/api/v1/admin/audit/checkpoint').set(bearer(ADMIN)).expect(200);
    const text = await waitFor(async () => {
      const m = (await api().get('/metrics').set('authorization', `Bearer ${ADMIN}`).expect(200)).text;
      // The lag gauge is sampled in the background: the first scrape may still say -1.
      return /cave_audit_checkpoint_size [1-9]/.test(m) && /cave_audit_lag_events 0/.test(m) ? m : undefined;
    }, 5000, 'checkpoint size metric');
    expect(text).toMatch(/cave_audit_lag_events 0/);
    expect(text).toMatch(/cave_audit_entries_written_total [1-9]/);
  });

  it('runs as the `audit` projector of the projection runtime, shown by the admin API, metrics and /healthz', async () => {
    await waitFor(auditedCount, 10_000, 'every event audited');
    const view = await waitFor(async () => {
      const b = (await api().get('/api/v1/admin/projections/audit').set(bearer(ADMIN)).expect(200)).body;
      return b.lagEvents === 0 ? b : undefined;
    }, 10_000, 'audit projector caught up');
    expect(view).toMatchObject({ name: 'audit', registered: true, status: 'running', leaderAlive: true, tables: [], rebuildable: false, failure: null });
    const health = (await api().get('/healthz').set('authorization', `Bearer ${ADMIN}`).expect(200)).body;
    expect(health.checks.projections.items).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'audit', status: 'running', leaderAlive: true })]));
    const metrics = await waitFor(async () => {
      const m = (await api().get('/metrics').set('authorization', `Bearer ${ADMIN}`).expect(200)).text;
      return /cave_projection_lag_events\{projection="audit"\} 0/.test(m) ? m : undefined;
    }, 5000, 'runtime lag metric of the audit projector');
    expect(metrics).toMatch(/cave_projection_position\{projection="audit"\} [1-9]/);
  });

  it('refuses to rebuild the append-only audit log with 409, recording nothing and rewriting nothing', async () => {
    await waitFor(auditedCount, 10_000, 'every event audited');
    const before = (await api().get('/api/v1/admin/audit/entries?limit=1000').set(bearer(ADMIN)).expect(200)).body.entries;
    const res = await api().post('/api/v1/admin/projections/audit/rebuild').set(bearer(ADMIN)).expect(409);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 409, code: 'PROJECTION.NOT_REBUILDABLE', reason: 'append_only' });
    expect(res.body.detail).toMatch(/append-only/);
    expect((await api().get('/api/v1/admin/projections/audit').set(bearer(ADMIN)).expect(200)).body.rebuild).toBeNull();
    const after = (await api().get('/api/v1/admin/audit/entries?limit=1000').set(bearer(ADMIN)).expect(200)).body.entries;
    expect(after).toEqual(before);
    expect((await api().post('/api/v1/admin/audit/verify').set(bearer(ADMIN)).expect(200)).body).toMatchObject({ ok: true });
  });
});
