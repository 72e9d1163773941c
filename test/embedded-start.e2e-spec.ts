import { ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import getPort from 'get-port';
import { waitFor } from '@cave/testing';

const ROOT = join(__dirname, '..');

/** Runs the daemon exactly as `npm start` does, but from source, with no DATABASE_URL. */
function startDaemon(dataDir: string, port: number): { proc: ChildProcess; logs: () => string } {
  let out = '';
  // The audit file goes with the data dir, not into the checkout (each run has its own database).
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: '127.0.0.1', CAVE_DATA_DIR: dataDir, CAVE_AUDIT_LOG_PATH: join(dataDir, 'audit.jsonl'), LOG_LEVEL: 'info' };
  delete env.DATABASE_URL;
  const proc = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'apps/cave-daemon/src/main.ts'], { cwd: ROOT, env });
  proc.stdout?.on('data', (d) => (out += d));
  proc.stderr?.on('data', (d) => (out += d));
  return { proc, logs: () => out };
}

const exited = (p: ChildProcess) => new Promise<number | null>((r) => (p.exitCode !== null ? r(p.exitCode) : p.once('exit', (code) => r(code))));

describe('npm start path: embedded PostgreSQL, persistent data, graceful stop', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cave-start-'));
  chmodSync(dataDir, 0o755);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  const embeddedPort = (logs: string) => Number(/embedded PostgreSQL listening on 127\.0\.0\.1:(\d+)/.exec(logs)?.[1]);
  const superuser = () => readFileSync(join(dataDir, 'postgres-superuser.secret'), 'utf8').trim();

  it('initialises, serves /healthz, stops cleanly, and a second start reuses the same data', async () => {
    const port = await getPort();
    const first = startDaemon(dataDir, port);
    await waitFor(async () => ((await request(`http://127.0.0.1:${port}`).get('/healthz').catch(() => undefined))?.status === 200 ? true : undefined), 90_000, 'first start');
    expect(first.logs()).toContain('initialising embedded PostgreSQL cluster');
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
    second.proc.kill('SIGINT');
    expect(await exited(second.proc)).toBe(0);
  }, 180_000);

  it('exits 1 with a clear message on invalid configuration', async () => {
    const bad = startDaemon(dataDir, 0);
    bad.proc.kill('SIGKILL');
    await exited(bad.proc);
    const env = { ...process.env, PORT: 'not-a-port', CAVE_DATA_DIR: dataDir };
    const proc = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'apps/cave-daemon/src/main.ts'], { cwd: ROOT, env });
    let err = '';
    proc.stderr?.on('data', (d) => (err += d));
    expect(await exited(proc)).toBe(1);
    expect(err).toContain('PORT must be an integer between 0 and 65535');
  }, 60_000);
});
