import { execFile, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where one jest run's shared S3 server lives (set by globalSetup, inherited by the workers). */
export const S3_SHARED_ENV = 'CAVE_TEST_S3_DIR';
/** Pid of the jest process that owns the shared directory (set by globalSetup). */
export const S3_OWNER_ENV = 'CAVE_TEST_S3_OWNER';
/** `1` turns a missing S3 server into a failed run instead of a skipped suite (CI). */
export const REQUIRE_S3_ENV = 'CAVE_REQUIRE_S3';

/** A real S3 endpoint with one user's credentials. */
export interface S3Server {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

const BINARIES = ['ceph-mon', 'ceph-osd', 'radosgw', 'ceph', 'ceph-authtool', 'monmaptool', 'radosgw-admin'];

/** Whether this machine can boot the test S3 server; the reason when it cannot. */
export function s3Availability(): { ok: true } | { ok: false; reason: string } {
  const path = (process.env.PATH ?? '').split(delimiter);
  const missing = BINARIES.filter((b) => !path.some((d) => isExecutable(join(d, b))));
  if (missing.length === 0) return { ok: true };
  return {
    ok: false,
    reason: `${missing.join(', ')} not found on PATH (install with: apt-get install -y --no-install-recommends radosgw ceph-mon ceph-osd)`,
  };
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The run's S3 server, booted by the first suite that asks (about 15 s) and shared by every other one: suites in
 * other workers wait for the first one's `server.json`. globalTeardown stops it by its pid files
 * (`stopSharedS3`). A suite that only runs the fs backend never pays for it.
 */
export async function sharedS3Server(timeoutMs = 120_000): Promise<S3Server> {
  const shared = process.env[S3_SHARED_ENV];
  if (!shared) throw new Error(`${S3_SHARED_ENV} not set: run tests through jest (globalSetup)`);
  const ready = join(shared, 'server.json');
  const failed = join(shared, 'failed.txt');
  let mine = false;
  try {
    mkdirSync(join(shared, 'boot.lock'));
    mine = true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  if (mine) {
    try {
      const server = await bootCeph(join(shared, 'cluster'));
      watchOwner(shared);
      await writeFile(ready, JSON.stringify(server));
      return server;
    } catch (e) {
      await writeFile(failed, e instanceof Error ? (e.stack ?? e.message) : String(e));
      throw e;
    }
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (existsSync(ready)) return JSON.parse(await readFile(ready, 'utf8')) as S3Server;
    if (existsSync(failed)) throw new Error(`the shared S3 server failed to boot:\n${await readFile(failed, 'utf8')}`);
    if (Date.now() > deadline) throw new Error(`the shared S3 server was not ready within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Stops the run's S3 server if a suite booted one, and removes its directory (globalTeardown). */
export async function stopSharedS3(): Promise<void> {
  const shared = process.env[S3_SHARED_ENV];
  if (!shared || !existsSync(shared)) return;
  await stopCeph(join(shared, 'cluster'));
  rmSync(shared, { recursive: true, force: true });
}

/**
 * The Ceph daemons fork away from jest; should the run die before globalTeardown (killed, crashed), a detached
 * watchdog stops them and removes the directory once the owning jest process is gone. It exits by itself when
 * teardown removed the directory first.
 */
function watchOwner(shared: string): void {
  const owner = Number(process.env[S3_OWNER_ENV] ?? process.ppid);
  const script = `
    const { existsSync, readdirSync, readFileSync, rmSync } = require('node:fs');
    const { join } = require('node:path');
    const [owner, shared] = [Number(process.argv[1]), process.argv[2]];
    const alive = (p) => { try { process.kill(p, 0); return true; } catch { return false; } };
    const timer = setInterval(() => {
      if (!existsSync(shared)) process.exit(0);
      if (alive(owner)) return;
      clearInterval(timer);
      const run = join(shared, 'cluster', 'run');
      const pids = existsSync(run) ? readdirSync(run).filter((f) => f.endsWith('.pid')).map((f) => Number(readFileSync(join(run, f), 'utf8'))) : [];
      for (const p of pids) if (p > 1 && alive(p)) process.kill(p, 'SIGTERM');
      setTimeout(() => {
        for (const p of pids) if (p > 1 && alive(p)) process.kill(p, 'SIGKILL');
        rmSync(shared, { recursive: true, force: true });
        process.exit(0);
      }, 10000);
    }, 2000);`;
  const child = spawn(process.execPath, ['-e', script, String(owner), shared], { detached: true, stdio: 'ignore' });
  child.unref();
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Conf keys from FACTS.md "Object storage": one node, one memstore OSD, no auth, everything under `dir`. */
function cephConf(dir: string, fsid: string, monPort: number, rgwPort: number): string {
  return `[global]
fsid = ${fsid}
mon host = v1:127.0.0.1:${monPort}
mon initial members = a
auth cluster required = none
auth service required = none
auth client required = none
auth allow insecure global id reclaim = true
ms bind ipv6 = false
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
osd pool default pg num = 8
osd pool default pgp num = 8
mon max pg per osd = 1000
osd crush chooseleaf type = 0
mon data avail warn = 1
mon data avail crit = 0
osd crush update on start = false
osd class update on start = false
run dir = ${dir}/run
log file = ${dir}/log/$name.log
admin socket = ${dir}/run/$name.asok
pid file = ${dir}/run/$name.pid
keyring = ${dir}/keyring
mon data = ${dir}/mon/$cluster-$id
osd data = ${dir}/osd/$cluster-$id
osd objectstore = memstore
memstore device bytes = 3221225472
rgw data = ${dir}/rgw
rgw frontends = beast endpoint=127.0.0.1:${rgwPort}
`;
}

/**
 * Boots a one-node Ceph cluster (mon, one memstore OSD, radosgw) on loopback under `dir` and creates an rgw user.
 * Daemons fork into the background and leave pid files in `<dir>/run`; `stopCeph(dir)` ends them.
 */
export async function bootCeph(dir: string): Promise<S3Server> {
  const available = s3Availability();
  if (!available.ok) throw new Error(available.reason);
  for (const d of ['run', 'log', 'mon', 'osd/ceph-0', 'rgw']) await mkdir(join(dir, d), { recursive: true });
  const [monPort, rgwPort] = [await freePort(), await freePort()];
  const fsid = randomUUID();
  const conf = join(dir, 'ceph.conf');
  await writeFile(conf, cephConf(dir, fsid, monPort, rgwPort));
  const c = ['-c', conf];
  const tool = (bin: string, args: string[], timeout = 30_000) => run(bin, args, { cwd: dir, timeout });
  try {
    const keyring = join(dir, 'keyring');
    await tool('ceph-authtool', ['--create-keyring', keyring, '--gen-key', '-n', 'mon.', '--cap', 'mon', 'allow *']);
    await tool('ceph-authtool', [keyring, '--gen-key', '-n', 'client.admin', '--cap', 'mon', 'allow *', '--cap', 'osd', 'allow *', '--cap', 'mgr', 'allow *']);
    await tool('monmaptool', ['--create', '--fsid', fsid, '--add', 'a', `v1:127.0.0.1:${monPort}`, join(dir, 'monmap')]);
    await tool('ceph-mon', [...c, '--mkfs', '-i', 'a', '--monmap', join(dir, 'monmap'), '--keyring', keyring]);
    await tool('ceph-mon', [...c, '-i', 'a']);
    const osdUuid = randomUUID();
    // The mon takes a moment to form its quorum of one; the CLI fails until it does.
    await retry(() => tool('ceph', [...c, '--connect-timeout', '5', 'osd', 'new', osdUuid, '0']), 30_000);
    await tool('ceph-osd', [...c, '-i', '0', '--mkfs', '--osd-uuid', osdUuid]);
    await tool('ceph-osd', [...c, '-i', '0']);
    await tool('ceph', [...c, 'osd', 'crush', 'add', 'osd.0', '1.0', 'host=localhost', 'root=default']);
    await tool('radosgw', [...c, '-n', 'client.rgw.a']);
    const endpoint = `http://127.0.0.1:${rgwPort}`;
    // rgw answers once it has created its pools, which needs the OSD up.
    await retry(async () => {
      const res = await fetch(endpoint);
      if (res.status >= 500) throw new Error(`rgw answered ${res.status}`);
    }, 60_000);
    const accessKeyId = `CAVE${randomBytes(8).toString('hex').toUpperCase()}`;
    const secretAccessKey = randomBytes(20).toString('hex');
    await retry(
      () => tool('radosgw-admin', [...c, 'user', 'create', '--uid=cave-test', '--display-name=cave test', `--access-key=${accessKeyId}`, `--secret=${secretAccessKey}`]),
      30_000,
    );
    return { endpoint, region: 'us-east-1', accessKeyId, secretAccessKey };
  } catch (e) {
    const logs = existsSync(join(dir, 'log'))
      ? readdirSync(join(dir, 'log'))
          .map((f) => `--- ${f}\n${readFileSync(join(dir, 'log', f), 'utf8').split('\n').slice(-15).join('\n')}`)
          .join('\n')
      : '';
    await stopCeph(dir);
    throw new Error(`Ceph test cluster did not boot: ${(e as Error).message}\n${logs}`, { cause: e });
  }
}

/** Ends every daemon whose pid file is in `<dir>/run` (TERM, then KILL after 10 s). */
export async function stopCeph(dir: string): Promise<void> {
  const runDir = join(dir, 'run');
  if (!existsSync(runDir)) return;
  const pids = readdirSync(runDir)
    .filter((f) => f.endsWith('.pid'))
    .map((f) => Number(readFileSync(join(runDir, f), 'utf8').trim()))
    .filter((p) => Number.isInteger(p) && p > 1);
  const alive = (p: number) => {
    try {
      process.kill(p, 0);
      return true;
    } catch {
      return false;
    }
  };
  for (const p of pids) if (alive(p)) process.kill(p, 'SIGTERM');
  const deadline = Date.now() + 10_000;
  while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  for (const p of pids) if (alive(p)) process.kill(p, 'SIGKILL');
}

async function retry<T>(fn: () => Promise<T>, withinMs: number): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}


/**
 * `describe` for suites that need the real S3 server. Where Ceph is not installed the suite is skipped with the
 * reason printed, unless `CAVE_REQUIRE_S3=1`, where the missing server fails the run. `server()` is valid in
 * tests and in hooks declared inside `fn` (a `beforeAll` here boots or joins the shared server first).
 */
export function describeWithS3(name: string, fn: (server: () => S3Server) => void): void {
  const available = s3Availability();
  if (!available.ok) {
    if (process.env[REQUIRE_S3_ENV] === '1') {
      describe(name, () => {
        it('needs the S3 test server', () => {
          throw new Error(`${REQUIRE_S3_ENV}=1 but the S3 test server cannot run: ${available.reason}`);
        });
      });
    } else {
      console.warn(`S3 contract suite "${name}" skipped: ${available.reason}`);
      describe.skip(name, () => fn(() => { throw new Error('S3 skipped'); }));
    }
    return;
  }
  describe(name, () => {
    let server: S3Server | undefined;
    beforeAll(async () => {
      server = await sharedS3Server();
    }, 180_000);
    fn(() => {
      if (!server) throw new Error('S3 server not booted yet (use it in a test or a hook)');
      return server;
    });
  });
}
