import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

/** What a server child reports: its own CPU time so far (process.cpuUsage, µs). */
export interface ChildCpu {
  user: number;
  system: number;
}

type FromChild = { type: 'listening'; port: number } | { type: 'cpu'; cpu: ChildCpu } | { type: 'failed'; message: string } | { type: 'answer'; of: string; value: unknown };
type ToChild = { type: 'cpu' } | { type: 'stop' } | { type: 'request'; of: string };

/** A benchmark server running in its own Node process (like the daemon), measured from outside. */
export interface ServerProcess {
  readonly base: string;
  readonly pid: number;
  /** The child's process.cpuUsage() (user + system, µs) as it answers now. */
  cpuMicros(): Promise<number>;
  /** Asks the child a named question it registered with `serveAsBenchChild` (e.g. its batcher counters). */
  request(of: string): Promise<unknown>;
  stop(): Promise<void>;
}

const ROOT = join(__dirname, '..', '..');

/**
 * Starts `bench/servers/<script>` in a child process (TypeScript compiled on load by `transpile-register.js`, without ts-node: see there), passing `env`, and
 * resolves once it listens on 127.0.0.1. The child answers CPU queries over IPC, so each server's CPU per
 * request is its own: the load generator and the other servers are in other processes. `nodeFlags` go to
 * the child's Node (e.g. `--cpu-prof`).
 */
export async function startServerProcess(script: string, env: Record<string, string>, nodeFlags: string[] = []): Promise<ServerProcess> {
  const child = spawn(
    process.execPath,
    [...nodeFlags, '-r', join(__dirname, 'transpile-register.js'), '-r', 'tsconfig-paths/register', join(__dirname, '..', 'servers', script)],
    { cwd: ROOT, env: { ...process.env, ...env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`${script} exited with ${code} before listening`));
    child.once('exit', onExit);
    child.once('error', reject);
    child.once('message', (m: FromChild) => {
      child.off('exit', onExit);
      if (m.type === 'listening') resolve(m.port);
      else reject(new Error(`${script} failed to start: ${m.type === 'failed' ? m.message : m.type}`));
    });
  }).catch((e: unknown) => {
    child.kill('SIGKILL');
    throw e;
  });
  return {
    base: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    cpuMicros: () => ask(child),
    request: (of) =>
      new Promise<unknown>((resolve, reject) => {
        const onMessage = (m: FromChild) => {
          if (m.type !== 'answer' || m.of !== of) return;
          child.off('message', onMessage);
          resolve(m.value);
        };
        child.on('message', onMessage);
        if (!child.send({ type: 'request', of } satisfies ToChild)) reject(new Error('server process is gone'));
      }),
    stop: () => stop(child),
  };
}

function ask(child: ChildProcess): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const onMessage = (m: FromChild) => {
      if (m.type !== 'cpu') return;
      child.off('message', onMessage);
      resolve(m.cpu.user + m.cpu.system);
    };
    child.on('message', onMessage);
    if (!child.send({ type: 'cpu' } satisfies ToChild)) reject(new Error('server process is gone'));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.send({ type: 'stop' } satisfies ToChild);
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

/**
 * The child's side: `start` listens and returns its port and a close function; the parent is told the port,
 * answers CPU queries, and on `stop` closes and exits (0, so `--cpu-prof` writes its profile).
 */
export function serveAsBenchChild(start: () => Promise<{ port: number; close(): Promise<void>; answers?: Record<string, () => unknown> }>): void {
  const send = (m: FromChild) => process.send?.(m);
  start().then(
    ({ port, close, answers = {} }) => {
      process.on('message', (m: ToChild) => {
        if (m.type === 'cpu') send({ type: 'cpu', cpu: process.cpuUsage() });
        else if (m.type === 'request') send({ type: 'answer', of: m.of, value: answers[m.of]?.() ?? null });
        else if (m.type === 'stop') {
          void close()
            .catch(() => undefined)
            .finally(() => process.exit(0));
        }
      });
      // The parent died without stopping us: do not linger.
      process.on('disconnect', () => process.exit(0));
      send({ type: 'listening', port });
    },
    (e: unknown) => {
      send({ type: 'failed', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
      process.exit(1);
    },
  );
}
