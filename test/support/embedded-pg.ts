import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');

export interface OwnServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Starts (or restarts, same dir and port) a migrated embedded PostgreSQL in a child process. */
export async function startOwnServer(dataDir: string, port?: number): Promise<OwnServer> {
  const proc: ChildProcess = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'test/support/embedded-pg-process.ts', dataDir, ...(port ? [String(port)] : [])],
    { cwd: ROOT, env: { ...process.env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let err = '';
  proc.stderr?.on('data', (d) => {
    err += d;
    if (process.env.CAVE_PG_DEBUG) process.stderr.write(String(d));
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout?.on('data', (d) => {
      out += d;
      const m = /READY (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    proc.once('exit', (code) => reject(new Error(`embedded pg exited with ${code}: ${err}`)));
  });
  return {
    url,
    port: Number(new URL(url).port),
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
}
