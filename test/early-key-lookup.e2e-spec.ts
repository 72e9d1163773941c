import { connect, Socket } from 'node:net';
import request from 'supertest';
import { ApiKeyAuthenticator } from '@cave/keys';
import { startTestApp, TestApp } from '@cave/testing';
import { createApp } from '../apps/cave-daemon/src/bootstrap/create-app';

const ADMIN = 'cave_sk_' + 'e'.repeat(40);
const WRONG = 'cave_sk_' + 'w'.repeat(40);

/** Resolves with the whole answer once the server closes the connection. */
function answerOf(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    socket.on('data', (b) => (text += b.toString('utf8')));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

async function until(check: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * The API-key lookup starts when a request's headers are in, so its round trip overlaps the body's arrival and the
 * pipeline; the guard takes that lookup instead of starting a second one.
 */
describe('API-key lookup at the request headers (e2e)', () => {
  let t: TestApp;
  let port: number;
  let lookups: jest.SpyInstance;

  beforeAll(async () => {
    t = await startTestApp(createApp, { CAVE_BOOTSTRAP_ADMIN_KEY: ADMIN, CAVE_AUTH_FAILURE_LIMIT: '3' });
    port = Number(new URL(t.url).port);
    lookups = jest.spyOn(t.app.get(ApiKeyAuthenticator), 'authenticate');
  });
  afterAll(() => t?.close());
  beforeEach(() => lookups.mockClear());

  it('looks the key up while the body is still on its way, and only once', async () => {
    const body = JSON.stringify({ namespace: 'early', name: 'k', role: 'member' });
    const socket = connect(port, '127.0.0.1');
    try {
      const answer = answerOf(socket);
      socket.write(
        `POST /api/v1/auth/keys HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ADMIN}\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`,
      );
      await until(() => lookups.mock.calls.length > 0);
      // The lookup has finished and the body has not been sent: the guard must not have run yet.
      await (lookups.mock.results[0].value as Promise<unknown>);
      expect(lookups).toHaveBeenCalledTimes(1);
      socket.write(body);
      expect(await answer).toMatch(/^HTTP\/1\.1 201 /);
    } finally {
      socket.destroy();
    }
    expect(lookups).toHaveBeenCalledTimes(1);
  });

  it('refuses an unknown key looked up early like one looked up late', async () => {
    const r = await request(t.url).post('/api/v1/auth/keys').set('authorization', `Bearer ${WRONG}`).send({ namespace: 'early', name: 'x', role: 'member' });
    expect(r.status).toBe(401);
    expect(r.body.code).toBe('KEYS.UNAUTHORIZED');
    expect(lookups).toHaveBeenCalledTimes(1);
  });

  it('does not look a key up for a route that does not exist', async () => {
    await request(t.url).post('/api/v1/no-such-route').set('authorization', `Bearer ${ADMIN}`).send({}).expect(404);
    expect(lookups).not.toHaveBeenCalled();
  });

  it('does not look a key up for a throttled address, valid key or not', async () => {
    const http = request(t.url);
    // The limit is 3 failures per window; the test before counted one.
    for (let i = 0; i < 3; i++) await http.get('/api/v1/auth/whoami').set('authorization', `Bearer ${WRONG}`);
    lookups.mockClear();
    const r = await http.get('/api/v1/auth/whoami').set('authorization', `Bearer ${ADMIN}`);
    expect(r.status).toBe(429);
    expect(lookups).not.toHaveBeenCalled();
  });
});
