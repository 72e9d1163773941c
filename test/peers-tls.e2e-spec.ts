import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { startTestApp, TestApp } from '@cave/testing';
import { createApp } from '../apps/cave-daemon/src/bootstrap/create-app';
import { TestPki, tlsGet } from './support/peer-pki';
// White-box: the listener binds port 0 here, and only it knows the port it got.
import { PeerListener } from '../libs/peers/src/tls/peer-listener';

const ADMIN = 'cave_sk_' + 'p'.repeat(40);
const bearer = { authorization: `Bearer ${ADMIN}` };

describe('peer listener: mutual TLS 1.3 with the operator CA (e2e)', () => {
  let pki: TestPki;
  let rogue: TestPki;
  let t: TestApp;
  let port: number;
  let serverNodeId: string;
  const clients: Record<string, { cert: string; key: string; serial: string; nodeId: string }> = {};

  beforeAll(async () => {
    pki = await TestPki.create();
    rogue = await TestPki.create();
    const server = await pki.node('server');
    serverNodeId = server.nodeId;
    for (const name of ['good', 'revoked', 'banned']) {
      const c = await pki.node(name);
      clients[name] = { cert: c.certPem, key: c.keyPem, serial: c.serial, nodeId: c.nodeId };
    }
    const expired = await pki.node('expired', '127.0.0.1', { notBefore: new Date(Date.now() - 10 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000) });
    clients.expired = { cert: expired.certPem, key: expired.keyPem, serial: expired.serial, nodeId: expired.nodeId };
    const r = await rogue.node('rogue');
    clients.rogue = { cert: r.certPem, key: r.keyPem, serial: r.serial, nodeId: r.nodeId };
    t = await startTestApp(createApp, {
      ...server.files,
      CAVE_PEER_PORT: '0',
      CAVE_PEER_HOST: '127.0.0.1',
      CAVE_DATA_DIR: mkdtempSync(join(tmpdir(), 'cave-peer-data-')),
      CAVE_BOOTSTRAP_ADMIN_KEY: ADMIN,
    });
    port = t.app.get(PeerListener).port()!;
  });

  afterAll(async () => {
    await t?.close();
  });

  const as = (name: string) => ({ ca: pki.ca.certPem, cert: clients[name].cert, key: clients[name].key });

  it('accepts a node certificate of the operator CA and answers health with its own node id', async () => {
    const res = await tlsGet(port, '/peer/v1/health', as('good'));
    expect(res).toMatchObject({ status: 200 });
    const body = JSON.parse((res as { body: string }).body);
    expect(body.nodeId).toBe(serverNodeId);
    expect(body.freeDiskBytes).toBeGreaterThan(0);
    expect(body.totalMemoryBytes).toBeGreaterThan(0);
  });

  it('refuses a client without a certificate at the handshake', async () => {
    expect(await tlsGet(port, '/peer/v1/health', { ca: pki.ca.certPem })).toHaveProperty('error');
  });

  it('refuses a certificate from another CA', async () => {
    expect(await tlsGet(port, '/peer/v1/health', { ca: pki.ca.certPem, cert: clients.rogue.cert, key: clients.rogue.key })).toHaveProperty('error');
  });

  it('refuses an expired certificate of the right CA', async () => {
    expect(await tlsGet(port, '/peer/v1/health', as('expired'))).toHaveProperty('error');
  });

  it('refuses TLS 1.2 even with a good certificate', async () => {
    expect(await tlsGet(port, '/peer/v1/health', { ...as('good'), maxVersion: 'TLSv1.2' })).toHaveProperty('error');
  });

  it('is not the API port: the HTTP app knows no /peer routes', async () => {
    expect((await request(t.url).get('/peer/v1/health')).status).toBe(404);
  });

  it('refuses a certificate once its serial is on the deny list, and again accepts it once it is taken off', async () => {
    expect(await tlsGet(port, '/peer/v1/health', as('revoked'))).toMatchObject({ status: 200 });
    const denied = await request(t.url).post('/api/v1/peers/deny-list').set(bearer).send({ serial: clients.revoked.serial.toUpperCase(), reason: 'key leaked' });
    expect(denied.status).toBe(200);
    expect(denied.body.entry).toBe(`serial:${clients.revoked.serial.replace(/^0+/, '')}`);
    const again = await request(t.url).post('/api/v1/peers/deny-list').set(bearer).send({ serial: clients.revoked.serial, reason: 'key leaked' });
    expect(again.status).toBe(200);
    expect(await tlsGet(port, '/peer/v1/health', as('revoked'))).toHaveProperty('error');
    expect(await tlsGet(port, '/peer/v1/health', as('good'))).toMatchObject({ status: 200 });
    const list = await request(t.url).get('/api/v1/peers/deny-list').set(bearer);
    expect(list.body.items.map((i: { entry: string }) => i.entry)).toEqual([denied.body.entry]);
    expect((await request(t.url).delete(`/api/v1/peers/deny-list/${denied.body.entry}`).set(bearer)).status).toBe(204);
    expect(await tlsGet(port, '/peer/v1/health', as('revoked'))).toMatchObject({ status: 200 });
  });

  it('refuses every certificate of a node denied by node id', async () => {
    const res = await request(t.url).post('/api/v1/peers/deny-list').set(bearer).send({ nodeId: clients.banned.nodeId, reason: 'decommissioned' });
    expect(res.status).toBe(200);
    expect(await tlsGet(port, '/peer/v1/health', as('banned'))).toHaveProperty('error');
  });

  it('answers bad deny-list input with 400 and unknown entries with 404', async () => {
    expect((await request(t.url).post('/api/v1/peers/deny-list').set(bearer).send({ reason: 'x' })).status).toBe(400);
    expect((await request(t.url).post('/api/v1/peers/deny-list').set(bearer).send({ serial: 'zz', reason: 'x' })).status).toBe(400);
    expect((await request(t.url).delete('/api/v1/peers/deny-list/serial:abc').set(bearer)).status).toBe(404);
    expect((await request(t.url).delete('/api/v1/peers/deny-list/nonsense').set(bearer)).status).toBe(400);
  });
});
