import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');

/** A daemon child process with everything it printed so far (stdout and stderr interleaved, as an operator sees them). */
export interface DaemonProcess {
  proc: ChildProcess;
  logs(): string;
}

/**
 * Runs `apps/cave-daemon/src/main.ts` from source in a child process, as `npm start` runs the build: the tests that
 * kill, restart or run several daemons need the real process, not an app inside jest. `env` is the whole
 * environment (callers start from `process.env` and decide what to drop, e.g. DATABASE_URL for the embedded path).
 */
export function spawnDaemon(env: NodeJS.ProcessEnv): DaemonProcess {
  let out = '';
  const proc = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'apps/cave-daemon/src/main.ts'], { cwd: ROOT, env });
  proc.stdout?.on('data', (d) => (out += d));
  proc.stderr?.on('data', (d) => (out += d));
  return { proc, logs: () => out };
}

/** What every daemon of a test needs of its own: its port, its database, where its files go, the bootstrap admin key. */
export interface DaemonSettings {
  port: number;
  databaseUrl: string;
  dataDir: string;
  /** Defaults to `audit.jsonl` in the data dir: two daemons must never append to one file. */
  auditLogPath?: string;
  adminKey: string;
}

/** A daemon's environment on `process.env`, listening on loopback; `extra` comes last and wins. */
export function daemonEnv(s: DaemonSettings, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PORT: String(s.port),
    HOST: '127.0.0.1',
    DATABASE_URL: s.databaseUrl,
    CAVE_DATA_DIR: s.dataDir,
    CAVE_AUDIT_LOG_PATH: s.auditLogPath ?? join(s.dataDir, 'audit.jsonl'),
    CAVE_BOOTSTRAP_ADMIN_KEY: s.adminKey,
    ...extra,
  };
}

/** Resolves with the exit code (null when a signal ended it) once the process has exited, at once if it already has. */
export function exited(p: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => (p.exitCode !== null || p.signalCode !== null ? resolve(p.exitCode) : p.once('exit', (code) => resolve(code))));
}
