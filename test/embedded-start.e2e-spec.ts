import { chmodSync, existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import getPort from 'get-port';
import { exited, spawnDaemon, waitFor, type DaemonProcess } from '@cave/testing';

/** Runs the daemon exactly as `npm start` does, but from source, with no DATABASE_URL. */
function startDaemon(dataDir: string, port: number): DaemonProcess {
  // The audit file goes with the data dir, not into the checkout (each run has its own database).
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: '127.0.0.1', CAVE_DATA_DIR: dataDir, CAVE_AUDIT_LOG_PATH: join(dataDir, 'audit.jsonl'), LOG_LEVEL: 'info' };
  delete env.DATABASE_URL;
  return spawnDaemon(env);
}

describe('npm start path: embedded PostgreSQL, persistent data, graceful stop', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cave-start-'));
  chmodSync(dataDir, 0o755);
  /** The second start's daemon, handed to the crash test. */
  let running: (DaemonProcess & { port: number }) | undefined;
  let adminKey = '';
  afterAll(() => {
    if (running && running.proc.exitCode === null) running.proc.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  const embeddedPort = (logs: string) => Number(/embedded PostgreSQL listening on 127\.0\.0\.1:(\d+)/.exec(logs)?.[1]);
  const superuser = () => readFileSync(join(dataDir, 'postgres-superuser.secret'), 'utf8').trim();

  it('initialises, serves /healthz, stops cleanly, and a second start reuses the same data', async () => {
    const port = await getPort();
    const first = startDaemon(dataDir, port);
    await waitFor(async () => ((await request(`http://127.0.0.1:${port}`).get('/healthz').catch(() => undefined))?.status === 200 ? true : undefined), 90_000, 'first start');
    expect(first.logs()).toContain('initialising embedded PostgreSQL cluster');
    adminKey = /created admin key (cave_sk_[A-Za-z0-9_-]+)/.exec(first.logs())?.[1] ?? '';
    const pgPort = embeddedPort(first.logs());
    const c = new Client({ connectionString: `postgres://postgres:${encodeURIComponent(superuser())}@127.0.0.1:${pgPort}/postgres` });
    await c.connect();
    expect((await c.query(`show wal_level`)).rows[0].wal_level).toBe('logical');
    await c.query(`select * from cave_append('persist', 'marker', 'marker-1', 0, '[{"eventId":"00000000-0000-4000-8000-000000000001","type":"marked","data":{}, "metadata":{}}]'::jsonb, null)`);
    await c.end();
    first.proc.kill('SIGTERM');
    expect(await exited(first.proc)).toBe(0);
    expect(first.logs()).toContain('"msg":"stopped"');
    expect(existsSync(join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);

    const second = startDaemon(dataDir, port);
    await waitFor(async () => ((await request(`http://127.0.0.1:${port}`).get('/healthz').catch(() => undefined))?.status === 200 ? true : undefined), 90_000, 'second start');
    expect(second.logs()).not.toContain('initialising embedded PostgreSQL cluster');
    const c2 = new Client({ connectionString: `postgres://postgres:${encodeURIComponent(superuser())}@127.0.0.1:${embeddedPort(second.logs())}/postgres` });
    await c2.connect();
    expect((await c2.query(`select count(*)::int as n from events where stream_id = 'marker-1'`)).rows[0].n).toBe(1);
    await c2.end();
    running = { ...second, port };
  }, 180_000);

  it('restarts a SIGKILLed postmaster with backoff and recovers; 503 and tail warnings are rate-limited; then stops cleanly', async () => {
    if (!running) throw new Error('needs the daemon of the previous test');
    const { proc, logs, port } = running;
    const http = () => request(`http://127.0.0.1:${port}`);
    expect(adminKey).toMatch(/^cave_sk_/);
    const lines = () =>
      logs()
        .split('\n')
        .flatMap((l) => {
          try {
            return [JSON.parse(l) as { msg: string; [k: string]: unknown }];
          } catch {
            return [];
          }
        });
    const count = (msg: RegExp) => lines().filter((l) => msg.test(l.msg)).length;
    // The realtime tail and the projections are running (the WAL leader holds the slot) before the crash.
    await waitFor(async () => ((await http().get('/healthz').set('authorization', `Bearer ${adminKey}`)).body?.checks?.realtime?.role === 'leader' ? true : undefined), 30_000, 'realtime leader');
    const before = lines().length;

    const postmaster = Number(readFileSync(join(realpathSync(join(dataDir, 'pg')), 'postmaster.pid'), 'utf8').split('\n')[0]);
    process.kill(postmaster, 'SIGKILL');
    // Every bearer-shaped token reaches the key lookup: each of these is a 503 while the server is down.
    const statuses: number[] = [];
    for (let round = 0; round < 4; round++) {
      const res = await Promise.all(
        Array.from({ length: 15 }, (_, i) => http().get('/api/v1/sandboxes').set('authorization', `Bearer cave_sk_${'x'.repeat(30)}${round}${i}`)),
      );
      statuses.push(...res.map((r) => r.status));
      // Anonymous probes too: each is a failed database check while the server is down.
      expect([200, 503]).toContain((await http().get('/healthz')).status);
    }
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThanOrEqual(20);
    // Once the server is back a made-up key is a 401 (and, after 20 of them, a throttled 429); never a 500.
    expect(statuses.filter((s) => s !== 503 && s !== 401 && s !== 429)).toEqual([]);

    await waitFor(() => (count(/^embedded PostgreSQL restarted/) > 0 ? true : undefined), 60_000, 'restart');
    expect(logs()).toMatch(new RegExp(`embedded PostgreSQL \\(pid ${postmaster}\\) exited unexpectedly \\(SIGKILL\\)`));
    await waitFor(async () => ((await http().get('/healthz').catch(() => undefined))?.status === 200 ? true : undefined), 60_000, 'healthy again');
    // Writes work again, and the realtime leader is back on the slot.
    await http().post('/api/v1/auth/keys').set('authorization', `Bearer ${adminKey}`).send({ namespace: 'after-crash', name: 'k', role: 'member' }).expect(201);
    await waitFor(async () => ((await http().get('/healthz').set('authorization', `Bearer ${adminKey}`)).body?.checks?.realtime?.role === 'leader' ? true : undefined), 30_000, 'realtime leader again');

    const during = lines().slice(before);
    // One "database unavailable" line for the whole burst, not one per 503.
    expect(during.filter((l) => /^database unavailable/.test(l.msg)).length).toBe(1);
    expect(during.filter((l) => l.msg === 'unhandled error')).toEqual([]);
    // The tail backed off: one warning, and few reads were tried while the server was down.
    expect(during.filter((l) => /^realtime tail read failed/.test(l.msg)).length).toBeLessThanOrEqual(1);
    const recovered = during.find((l) => l.msg === 'realtime tail reads again') as { failedReads?: number } | undefined;
    if (recovered) expect(recovered.failedReads).toBeLessThanOrEqual(8);
    // Background loops that poll every second or faster say so once per outage, not once per attempt.
    const loops = [/^audit file catch-up failed/, /^key expiry sweep failed/, /^webhook claim failed/, /^health check failed/];
    expect(loops.map((loop) => [String(loop), during.filter((l) => loop.test(l.msg)).length]).filter(([, n]) => Number(n) > 1)).toEqual([]);

    proc.kill('SIGINT');
    expect(await exited(proc)).toBe(0);
    expect(existsSync(join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
  }, 180_000);

  it('exits 1 with a clear message on invalid configuration', async () => {
    const bad = startDaemon(dataDir, 0);
    bad.proc.kill('SIGKILL');
    await exited(bad.proc);
    const { proc, logs } = spawnDaemon({ ...process.env, PORT: 'not-a-port', CAVE_DATA_DIR: dataDir });
    expect(await exited(proc)).toBe(1);
    expect(logs()).toContain('PORT must be an integer between 0 and 65535');
  }, 60_000);
});
