import { spawn } from 'node:child_process';

export interface HttpLoad {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  connections: number;
  amount: number;
}

export interface HttpLoadOptions {
  /** Answers other than 2xx are expected (a misbehaving client): counted, not a failure. */
  allowNon2xx?: boolean;
  /** Stops the load early (the generator is killed; the result is then not read). */
  signal?: AbortSignal;
}

export interface HttpLoadResult {
  ok: number;
  non2xx: number;
  errors: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Answers by status code. */
  statusCodes: Record<string, number>;
}

interface AutocannonJson {
  '2xx': number;
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
  latency: { p50: number; p99: number };
  statusCodeStats?: Record<string, { count: number }>;
}

/**
 * Runs autocannon in a child process: a load generator inside the process it measures would
 * steal the event loop it is measuring. Fails on any error, timeout or non-2xx answer, since a
 * rate that includes failures is not a rate of work done.
 */
export async function runAutocannon(load: HttpLoad, opts: HttpLoadOptions = {}): Promise<HttpLoadResult | undefined> {
  const args = [
    require.resolve('autocannon/autocannon.js'),
    '--json',
    '--no-progress',
    // Completion is only noticed at a sample tick (default 1 s): sample often so the measured
    // duration is the work's, not the tick's.
    '-L', '20',
    '-c', String(load.connections),
    '-a', String(load.amount),
    '-m', load.method,
    ...Object.entries(load.headers).flatMap(([k, v]) => ['-H', `${k}=${v}`]),
    ...(load.body === undefined ? [] : ['-b', load.body]),
    load.url,
  ];
  const out = await new Promise<string | undefined>((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let aborted = false;
    const onAbort = () => {
      aborted = true;
      child.kill('SIGKILL');
    };
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      opts.signal?.removeEventListener('abort', onAbort);
      if (aborted) resolve(undefined);
      else if (code === 0 && stdout.trim() !== '') resolve(stdout);
      else reject(new Error(`autocannon exited with ${code}: ${stderr.slice(0, 500)}`));
    });
  });
  if (out === undefined) return undefined;
  const r = JSON.parse(out) as AutocannonJson;
  if (r.errors > 0 || r.timeouts > 0 || (r.non2xx > 0 && !opts.allowNon2xx)) {
    throw new Error(`${load.method} ${load.url}: ${r.non2xx} non-2xx (${JSON.stringify(r.statusCodeStats ?? {})}), ${r.errors} errors, ${r.timeouts} timeouts`);
  }
  return {
    ok: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors,
    // duration is in seconds, from the first request to the last answer.
    requestsPerSecond: (opts.allowNon2xx ? r['2xx'] + r.non2xx : r['2xx']) / r.duration,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    statusCodes: Object.fromEntries(Object.entries(r.statusCodeStats ?? {}).map(([k, v]) => [k, v.count])),
  };
}
