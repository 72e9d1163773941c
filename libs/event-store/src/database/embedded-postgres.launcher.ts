import { createHash, randomBytes } from 'node:crypto';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { isRoot, loadEmbeddedPostgres, traversableByOthers } from './embedded-postgres.loader';
import { EmbeddedPostgresSupervisor, SupervisedServer } from './embedded-postgres.supervisor';

export interface EmbeddedPostgresHandle {
  /** Superuser URL of the running cluster (loopback only). */
  url: string;
  port: number;
  clusterDir: string;
  /** Times the server was restarted after it died on its own (see EmbeddedPostgresSupervisor). */
  readonly restarts: number;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  log: (level: 'info' | 'warn' | 'debug', message: string) => void;
  /** Extra `-c name=value` server settings. */
  settings?: Record<string, string>;
  /** Fixed port (e.g. to restart a server where clients expect it); default: a free one. */
  port?: number;
}

/** Settings every CAVE cluster needs: logical decoding for realtime, a bound on slot WAL. */
const BASE_SETTINGS: Record<string, string> = {
  wal_level: 'logical',
  max_wal_senders: '10',
  max_replication_slots: '10',
  max_slot_wal_keep_size: '2GB',
  max_connections: '300',
  listen_addresses: '127.0.0.1',
  // No unix socket: its default directory may not be writable for the postgres OS user.
  unix_socket_directories: '',
};


/**
 * Starts (initialising on first use) a PostgreSQL cluster under `<dataDir>/pg`.
 *
 * As root, Postgres runs as the `postgres` OS user, which must be able to traverse every parent
 * directory. When a parent is private (e.g. a clone under /root), the cluster lives in
 * /var/lib/cave/<hash of dataDir> and `<dataDir>/pg` becomes a symlink to it, so data still
 * persists across restarts and is found from the data dir.
 */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const dataDir = resolve(opts.dataDir);
  await fs.mkdir(dataDir, { recursive: true, mode: 0o755 });
  const clusterDir = await resolveClusterDir(dataDir, opts.log);
  const password = await superuserPassword(dataDir);
  await stopOrphan(clusterDir, opts.log);

  const { ctor: EmbeddedPostgres, fromDir } = await loadEmbeddedPostgres(opts.log);
  releaseSignalHandlers(fromDir);
  const port = opts.port ?? (await freePort());
  const settings = { ...BASE_SETTINGS, ...(opts.settings ?? {}) };
  let lastOutput: string | undefined;
  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot(),
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
    onLog: (m) => {
      lastOutput = m.trim();
      opts.log('debug', lastOutput);
    },
    onError: (e) => opts.log('warn', String(e instanceof Error ? e.message : e)),
  });

  if (!existsSync(join(clusterDir, 'PG_VERSION'))) {
    opts.log('info', `initialising embedded PostgreSQL cluster in ${clusterDir}`);
    await pg.initialise();
  }
  try {
    await pg.start();
  } catch (e) {
    throw new Error(
      `embedded PostgreSQL failed to start in ${clusterDir}` +
        (e instanceof Error ? `: ${e.message}` : ' (see debug logs; LOG_LEVEL=debug)'),
    );
  }
  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  opts.log('info', `embedded PostgreSQL listening on 127.0.0.1:${port}`);
  // Same port and data directory on every restart: the pools' URLs stay valid.
  const supervisor = new EmbeddedPostgresSupervisor(pg as unknown as SupervisedServer, {
    log: (level, message) => opts.log(level, message),
    lastOutput: () => lastOutput,
  });
  return {
    url,
    port,
    clusterDir,
    get restarts() {
      return supervisor.restarts;
    },
    stop: () => supervisor.stop(),
  };
}

/**
 * embedded-postgres installs SIGINT/SIGTERM handlers that stop the server and exit at once, which
 * would cut off requests still in flight. The daemon owns shutdown: close the app, then stop Postgres.
 */
function releaseSignalHandlers(from: string): void {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const hook = require(require.resolve('async-exit-hook', { paths: [from] })) as { unhookEvent(e: string): void };
    for (const e of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'message']) hook.unhookEvent(e);
  } catch {
    // Nothing hooked: nothing to release.
  }
}

async function resolveClusterDir(dataDir: string, log: EmbeddedPostgresOptions['log']): Promise<string> {
  const preferred = join(dataDir, 'pg');
  if (!isRoot()) return preferred;
  const stat = await fs.lstat(preferred).catch(() => undefined);
  if (stat?.isSymbolicLink()) return fs.realpath(preferred);
  if (stat || (await traversableByOthers(dataDir))) return preferred;
  const relocated = join('/var/lib/cave', createHash('sha256').update(dataDir).digest('hex').slice(0, 16), 'pg');
  await fs.mkdir(dirname(relocated), { recursive: true, mode: 0o755 });
  await fs.chmod('/var/lib/cave', 0o755);
  await fs.symlink(relocated, preferred);
  log(
    'warn',
    `${dataDir} sits under a directory the postgres OS user cannot enter; ` +
      `the cluster lives in ${relocated} (linked from ${preferred})`,
  );
  return relocated;
}

async function superuserPassword(dataDir: string): Promise<string> {
  const file = join(dataDir, 'postgres-superuser.secret');
  try {
    return (await fs.readFile(file, 'utf8')).trim();
  } catch {
    const pw = randomBytes(24).toString('base64url');
    await fs.writeFile(file, pw + '\n', { mode: 0o600, flag: 'wx' });
    return pw;
  }
}

/**
 * A daemon killed with SIGKILL leaves its postgres child running and holding the data dir.
 * Stop that orphan (fast shutdown keeps committed data) so this start can take over.
 */
async function stopOrphan(clusterDir: string, log: EmbeddedPostgresOptions['log']): Promise<void> {
  const pidFile = join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return;
  log('warn', `stopping orphaned PostgreSQL (pid ${pid}) left running in ${clusterDir}`);
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + 30_000;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (alive(pid)) throw new Error(`PostgreSQL pid ${pid} still holds ${clusterDir}; stop it and retry`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? res(addr.port) : rej(new Error('no port'))));
    });
  });
}
