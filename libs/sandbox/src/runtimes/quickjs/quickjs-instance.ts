import type { QuickJSContext, QuickJSHandle, QuickJSRuntime } from 'quickjs-emscripten-core';
import type { OutputCapture } from '../output-capture';
import type { ExecErrorCode } from '../runtime.types';
import { GUEST_PRELUDE, WRITE_FUNCTION } from './guest-prelude';
import { instantiateQuickJs, QUICKJS_INITIAL_PAGES, QUICKJS_VARIANT, WASM_PAGE } from './quickjs-variant';

/** The native stack a guest may use; deep recursion ends in a catchable `stack overflow`. */
const MAX_STACK_BYTES = 512 * 1024;

/** Where a memory image's runtime lives; the same build re-creates them at the same addresses. */
export interface QuickJsImageHeader {
  variant: string;
  version: string;
  memoryMb: number;
  pages: number;
  rt: number;
  ctx: number;
  writeRef: number;
}

export class SnapshotIncompatibleError extends Error {
  readonly code = 'SANDBOX.SNAPSHOT_INCOMPATIBLE';
}

export interface EvalResult {
  error?: { code: ExecErrorCode; message: string };
}

/**
 * One sandbox's QuickJS: its own module instance over its own `WebAssembly.Memory` whose maximum
 * is the sandbox's memory cap, so every guest allocation (ArrayBuffers and long strings included,
 * which `setMemoryLimit` does not count) fails inside the guest at the cap. Instances are never
 * disposed piecemeal: dropping the last reference frees the whole memory at once, which also
 * works after a guest was interrupted halfway through building objects.
 */
export class QuickJsInstance {
  private output?: OutputCapture;
  private poisoned = false;

  private constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly rt: QuickJSRuntime,
    private readonly ctx: QuickJSContext,
    private readonly writeRef: number,
    readonly memoryMb: number,
  ) {}

  /**
   * A fresh instance. `recycled` is a memory an earlier instance of the same `memoryMb` gave back through
   * `recycleMemory` (zeroed, never grown): indistinguishable from a new one, without a 16 MiB external allocation
   * per exec (those made V8 run full garbage collections: most of an exec's time, ADR 0017).
   */
  static async create(memoryMb: number, recycled?: WebAssembly.Memory): Promise<QuickJsInstance> {
    const inst = await QuickJsInstance.boot(memoryMb, QUICKJS_INITIAL_PAGES, recycled);
    const r = inst.ctx.evalCode(GUEST_PRELUDE, 'prelude.js');
    if (r.error) throw new Error(`guest prelude failed: ${JSON.stringify(inst.ctx.dump(r.error))}`);
    r.value.dispose();
    return inst;
  }

  /** A fresh instance whose memory is `image`: the guest continues exactly where it was. */
  static async restore(header: QuickJsImageHeader, image: Uint8Array): Promise<QuickJsInstance> {
    if (header.variant !== QUICKJS_VARIANT.name || header.version !== QUICKJS_VARIANT.version) {
      throw new SnapshotIncompatibleError(`snapshot was taken with ${header.variant}@${header.version}; this daemon runs ${QUICKJS_VARIANT.name}@${QUICKJS_VARIANT.version}`);
    }
    if (image.byteLength !== header.pages * WASM_PAGE) throw new SnapshotIncompatibleError('snapshot image size does not match its header');
    const inst = await QuickJsInstance.boot(header.memoryMb, header.pages);
    if (inst.rt['rt'].value !== header.rt || inst.ctx['ctx'].value !== header.ctx || inst.writeRef !== header.writeRef) {
      throw new SnapshotIncompatibleError('this runtime lays out its memory differently from the snapshot');
    }
    new Uint8Array(inst.memory.buffer).set(image);
    return inst;
  }

  private static async boot(memoryMb: number, pages: number, recycled?: WebAssembly.Memory): Promise<QuickJsInstance> {
    const maxPages = Math.max(QUICKJS_INITIAL_PAGES, Math.floor((memoryMb * 1024 * 1024) / WASM_PAGE), pages);
    const memory = recycled && recycled.buffer.byteLength === pages * WASM_PAGE ? recycled : new WebAssembly.Memory({ initial: pages, maximum: maxPages });
    const module = await instantiateQuickJs(memory);
    const rt = module.newRuntime();
    rt.setMaxStackSize(MAX_STACK_BYTES);
    const ctx = rt.newContext();
    // The host function outlives this call; it writes to whatever capture the instance has during an eval.
    const sink: { inst?: QuickJsInstance } = {};
    // Must stay the runtime's first host reference: a fresh runtime hands out ids deterministically, and a
    // restored image finds its console through this id.
    const writeRef = (rt as unknown as { hostRefs: { nextId: number } }).hostRefs.nextId;
    const write = ctx.newFunction(WRITE_FUNCTION, (fd: QuickJSHandle, text: QuickJSHandle) => {
      sink.inst?.output?.write(ctx.getNumber(fd) === 2 ? 'stderr' : 'stdout', ctx.typeof(text) === 'string' ? ctx.getString(text) : '');
    });
    ctx.setProp(ctx.global, WRITE_FUNCTION, write);
    write.dispose();
    sink.inst = new QuickJsInstance(memory, rt, ctx, writeRef, memoryMb);
    return sink.inst;
  }

  get usable(): boolean {
    return !this.poisoned;
  }

  /**
   * Ends this instance and hands back its memory, zeroed, for the next `create` with the same `memoryMb`; undefined
   * when the guest grew it (a grown memory cannot shrink, so it is left to the garbage collector). The instance is
   * unusable afterwards. Only for instances nobody keeps (Quick Mode), called between evals.
   */
  recycleMemory(): WebAssembly.Memory | undefined {
    this.poisoned = true;
    this.output = undefined;
    if (this.memory.buffer.byteLength !== QUICKJS_INITIAL_PAGES * WASM_PAGE) return undefined;
    new Uint8Array(this.memory.buffer).fill(0);
    return this.memory;
  }

  /** Runs `code` (and the promise jobs it queues) until done, `deadline` (epoch ms), or the memory cap. */
  eval(code: string, deadline: number, output: OutputCapture): EvalResult {
    this.output = output;
    this.rt.setInterruptHandler(() => {
      output.tick();
      return Date.now() > deadline;
    });
    try {
      const r = this.ctx.evalCode(code, 'sandbox.js');
      if (r.error) return { error: this.describe(r.error) };
      const value = r.value;
      const jobs = this.rt.executePendingJobs(-1);
      if (jobs.error) {
        value.dispose();
        return { error: this.describe(jobs.error) };
      }
      const settled = this.ctx.getPromiseState(value);
      value.dispose();
      if (settled.type === 'rejected') return { error: this.describe(settled.error) };
      if (settled.type === 'fulfilled' && !settled.notAPromise) settled.value.dispose();
      return {};
    } catch (e) {
      // The WASM module aborted (an assertion in the engine): this instance is unusable from here on.
      this.poisoned = true;
      return { error: { code: 'RUNTIME_ERROR', message: `the JavaScript engine aborted: ${(e as Error).message}` } };
    } finally {
      this.output = undefined;
      this.rt.setInterruptHandler(() => false);
    }
  }

  /** The memory image at rest (between evals): everything the guest holds, plus where to find it. */
  image(): { header: QuickJsImageHeader; bytes: Uint8Array } {
    const bytes = new Uint8Array(this.memory.buffer).slice();
    return {
      header: {
        variant: QUICKJS_VARIANT.name,
        version: QUICKJS_VARIANT.version,
        memoryMb: this.memoryMb,
        pages: bytes.byteLength / WASM_PAGE,
        rt: this.rt['rt'].value,
        ctx: this.ctx['ctx'].value,
        writeRef: this.writeRef,
      },
      bytes,
    };
  }

  private describe(handle: QuickJSHandle): { code: ExecErrorCode; message: string } {
    let name = 'Error';
    let message = 'unknown error';
    try {
      const dumped = this.ctx.dump(handle) as { name?: unknown; message?: unknown } | string;
      if (typeof dumped === 'object' && dumped !== null) {
        name = String(dumped.name ?? name);
        message = String(dumped.message ?? message);
      } else message = String(dumped);
    } catch {
      // Dumping needs memory; right after an OOM there may be none left to describe the error with.
      message = 'out of memory';
    } finally {
      handle.dispose();
    }
    if (name === 'InternalError' && message === 'interrupted') return { code: 'TIMEOUT', message: 'the exec ran past its time limit' };
    if (name === 'InternalError' && (message === 'out of memory' || message === 'string too long')) return { code: 'OOM', message: `the guest ran out of memory (${message})` };
    if (message === 'out of memory') return { code: 'OOM', message: 'the guest ran out of memory' };
    return { code: 'RUNTIME_ERROR', message: `${name}: ${message}`.slice(0, 1000) };
  }
}
