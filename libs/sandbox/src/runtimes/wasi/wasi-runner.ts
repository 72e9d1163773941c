import { WASI } from 'node:wasi';
import type { OutputCapture } from '../output-capture';
import type { EvalResult } from '../quickjs/quickjs-instance';

const FD_STDIN = 0;
const FD_STDOUT = 1;
const FD_STDERR = 2;
const ERRNO_SUCCESS = 0;
const ERRNO_BADF = 8;

export interface WasiRunInput {
  module: WebAssembly.Module;
  args: string[];
  env: Record<string, string>;
  stdin: Uint8Array;
  memoryMb: number;
  output: OutputCapture;
}

/**
 * Runs a WASI preview1 command module to completion in the current (worker) thread. No preopened
 * directories: the guest has no file system. fd 0-2 are served here, not by node:wasi, so stdin
 * comes from the request and output goes to the capture as it is written (live chunks). node:wasi
 * is not a sandbox by itself (its docs say so): what holds is the WASM instance (no imports but
 * WASI), no preopens, this worker and its `terminate()` watchdog in the daemon.
 */
export function runWasi(input: WasiRunInput): EvalResult & { exitCode: number } {
  const wasi = new WASI({ version: 'preview1', args: ['main', ...input.args], env: input.env, returnOnExit: true, preopens: {} });
  const base = wasi.getImportObject() as { wasi_snapshot_preview1: Record<string, (...a: number[]) => number> };
  // Known only after instantiation; the imports read it lazily.
  const mem: { current?: WebAssembly.Memory } = {};
  let stdinAt = 0;
  const view = () => new DataView(mem.current!.buffer);
  const iovecs = (ptr: number, count: number) => {
    const v = view();
    const out: { buf: number; len: number }[] = [];
    for (let i = 0; i < count; i++) out.push({ buf: v.getUint32(ptr + i * 8, true), len: v.getUint32(ptr + i * 8 + 4, true) });
    return out;
  };
  const imports = {
    wasi_snapshot_preview1: {
      ...base.wasi_snapshot_preview1,
      fd_write: (fd: number, iovs: number, count: number, written: number): number => {
        if (fd !== FD_STDOUT && fd !== FD_STDERR) return ERRNO_BADF;
        let total = 0;
        for (const { buf, len } of iovecs(iovs, count)) {
          input.output.writeBytes(fd === FD_STDERR ? 'stderr' : 'stdout', new Uint8Array(mem.current!.buffer, buf, len));
          total += len;
        }
        view().setUint32(written, total, true);
        return ERRNO_SUCCESS;
      },
      fd_read: (fd: number, iovs: number, count: number, read: number): number => {
        if (fd !== FD_STDIN) return ERRNO_BADF;
        let total = 0;
        for (const { buf, len } of iovecs(iovs, count)) {
          const n = Math.min(len, input.stdin.byteLength - stdinAt);
          new Uint8Array(mem.current!.buffer, buf, n).set(input.stdin.subarray(stdinAt, stdinAt + n));
          stdinAt += n;
          total += n;
          if (n < len) break;
        }
        view().setUint32(read, total, true);
        return ERRNO_SUCCESS;
      },
    },
  };
  let instance: WebAssembly.Instance;
  try {
    instance = new WebAssembly.Instance(input.module, imports as unknown as WebAssembly.Imports);
  } catch (e) {
    return { exitCode: 1, error: { code: 'RUNTIME_ERROR', message: `the module could not be instantiated: ${(e as Error).message}` } };
  }
  const exported = instance.exports.memory;
  if (!(exported instanceof WebAssembly.Memory)) return { exitCode: 1, error: { code: 'RUNTIME_ERROR', message: 'the module exports no memory' } };
  mem.current = exported;
  if (exported.buffer.byteLength > input.memoryMb * 1024 * 1024) {
    return { exitCode: 137, error: { code: 'OOM', message: `the module's initial memory exceeds the ${input.memoryMb} MiB limit` } };
  }
  try {
    const code = wasi.start(instance);
    return { exitCode: code };
  } catch (e) {
    const message = (e as Error).message ?? String(e);
    if (/memory/i.test(message) && /(out of|grow|allocat)/i.test(message)) return { exitCode: 137, error: { code: 'OOM', message } };
    return { exitCode: 1, error: { code: 'RUNTIME_ERROR', message: `the module trapped: ${message}`.slice(0, 1000) } };
  }
}
