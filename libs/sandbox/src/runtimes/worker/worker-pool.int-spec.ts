import { loadFactor, wasiModule } from '@cave/testing';
import type { ExecJob, ExecOutcome, JsExecJob, OutputChunk } from '../runtime.types';
import { SandboxWorkerPool } from './worker-pool';

const limits = { memoryMb: 32, timeoutMs: 1000, maxOutputBytes: 4096 };

describe('sandbox worker pool (real worker threads, real QuickJS and node:wasi)', () => {
  let pool: SandboxWorkerPool;
  beforeAll(async () => {
    pool = new SandboxWorkerPool({ size: 2 });
    await pool.ready();
  }, 60_000);
  afterAll(() => pool.close());

  const run = (job: ExecJob, chunks: OutputChunk[] = [], supply: () => Promise<Uint8Array> = async () => new Uint8Array()): Promise<ExecOutcome> =>
    pool.run({ job, sandboxId: 's1', onChunk: (c) => chunks.push(c), supply });
  const js = (code: string, l: Partial<typeof limits> = {}): JsExecJob => ({ kind: 'javascript', code, limits: { ...limits, ...l } });

  it('runs a script and captures console output in order, stdout and stderr apart', async () => {
    const chunks: OutputChunk[] = [];
    const o = await run(js('console.log("a", 1, {b: 2}); console.error("oops"); console.log("c")'), chunks);
    expect(o).toMatchObject({ exitCode: 0, stdout: 'a 1 {"b":2}\nc\n', stderr: 'oops\n', truncated: false });
    expect(chunks.map((c) => c.seq)).toEqual(chunks.map((_, i) => i));
    expect(chunks.map((c) => `${c.stream}:${c.chunk}`).join('')).toBe('stdout:a 1 {"b":2}\nstderr:oops\nstdout:c\n');
  });

  it('every quick exec gets a fresh instance: nothing a previous guest left (globals, prototypes) is there', async () => {
    // More execs than threads, same cap and another, so each thread hands out instances it built ahead (that their
    // memory holds nothing of the previous guest is pinned in quickjs-instance.spec.ts).
    for (const memoryMb of [32, 32, 32, 16, 32, 16]) {
      const o = await run(js('console.log(typeof left, Array.prototype.left); var left = 1; Array.prototype.left = 2', { memoryMb, timeoutMs: 10_000 }));
      expect({ stdout: o.stdout, error: o.error }).toEqual({ stdout: 'undefined undefined\n', error: undefined });
    }
  });

  it('infinite loop -> TIMEOUT from the guest deadline within timeoutMs + 100 ms (stretched by the load)', async () => {
    const t0 = performance.now();
    const o = await run(js('while (true) {}', { timeoutMs: 200 }));
    const took = performance.now() - t0;
    // Normally the interrupt ends it; the watchdog kills the thread 250 ms later counted from the dispatch, so on a
    // loaded machine (a slow dispatch) it may come first: both are TIMEOUT, and both must be on time.
    expect(o.error?.code).toBe('TIMEOUT');
    expect(o.durationMs).toBeGreaterThanOrEqual(199);
    expect(o.durationMs).toBeLessThan(200 + 100 * loadFactor());
    // Dispatch and the answer's way back on top; a deadline never enforced would run until jest's timeout.
    expect(took).toBeLessThan(200 + 500 * loadFactor());
  });

  it('ArrayBuffer bomb and string bomb -> OOM at the memory cap', async () => {
    const a = await run(js('const k = []; while (true) k.push(new ArrayBuffer(1 << 20));', { memoryMb: 32 }));
    expect(a.error?.code).toBe('OOM');
    const s = await run(js('let q = "x"; while (true) q = q + q;', { memoryMb: 32 }));
    expect(s.error?.code).toBe('OOM');
  });

  it('output flood is truncated at maxOutputBytes; the hash covers the full output', async () => {
    const o = await run(js('for (let i = 0; i < 10000; i++) console.log("0123456789")', { maxOutputBytes: 100, timeoutMs: 20_000 }));
    expect(o.truncated).toBe(true);
    expect(Buffer.byteLength(o.stdout)).toBe(100);
    expect(o.stdoutBytes).toBe(110_000);
    const { createHash } = await import('node:crypto');
    expect(o.stdoutSha256).toBe(createHash('sha256').update('0123456789\n'.repeat(10000)).digest('hex'));
  });

  it('require, process, fetch, timers and host globals are not reachable', async () => {
    const o = await run(js(`
      const seen = [typeof require, typeof process, typeof fetch, typeof setTimeout, typeof setInterval, typeof module,
        typeof globalThis.__cave_write, typeof WebAssembly, typeof Buffer];
      let ctor = 'none';
      try { ctor = (function(){}).constructor('return typeof process')(); } catch (e) { ctor = 'threw'; }
      console.log(seen.join(','), ctor, Object.getOwnPropertyNames(globalThis).filter((n) => /require|process|cave|host/i.test(n)).join('|'));
    `));
    expect(o.stdout).toBe('undefined,undefined,undefined,undefined,undefined,undefined,undefined,undefined,undefined undefined \n');
  });

  it('a runtime error is RUNTIME_ERROR with the guest message; an uncaught rejection too', async () => {
    expect((await run(js('null.x'))).error).toMatchObject({ code: 'RUNTIME_ERROR', message: expect.stringContaining('TypeError') });
    expect((await run(js('Promise.reject(new Error("nope"))'))).error).toMatchObject({ code: 'RUNTIME_ERROR', message: 'Error: nope' });
  });

  it('persistent state survives between execs and the image restores elsewhere', async () => {
    const key = 'p1';
    const first = await run({ ...js('var counter = 41; console.log("set")'), persistent: { key, version: 0 } });
    expect(first.state?.sha256).toMatch(/^[0-9a-f]{64}$/);
    // The holding worker is preferred; the restored image gives the same state on the other one.
    const image = first.state!.image;
    pool.evict(key);
    const restored = await run({ ...js('counter++; console.log(counter)'), persistent: { key, version: 1 } }, [], async () => image);
    expect(restored.stdout).toBe('42\n');
    const again = await run({ ...js('counter++; console.log(counter)'), persistent: { key, version: 1, image } });
    expect(again.stdout).toBe('42\n');
  });

  it('WASI: runs a module with stdin and args, exit codes, and kills a spinning one', async () => {
    const mod = (b: Parameters<typeof wasiModule>[0]): ExecJob => ({ kind: 'wasi', moduleSha256: b, module: wasiModule(b), args: [], env: {}, stdin: 'ping', limits });
    expect(await run(mod('hello'))).toMatchObject({ exitCode: 0, stdout: 'hello from wasi\n' });
    expect(await run(mod('echo-stdin'))).toMatchObject({ exitCode: 0, stdout: 'ping' });
    expect((await run(mod('exit-3'))).exitCode).toBe(3);
    const t0 = performance.now();
    const spin = await run({ ...mod('spin'), limits: { ...limits, timeoutMs: 200 } });
    expect(spin.error).toEqual({ code: 'TIMEOUT', message: 'the exec ran past its time limit and its thread was terminated' });
    // Killed by the watchdog at 200 ms (a WASI guest cannot be interrupted); timers fire late on a loaded machine.
    expect(performance.now() - t0).toBeLessThan(200 + 300 * loadFactor());
    expect(await run(mod('hello'))).toMatchObject({ exitCode: 0 });
  });
});
