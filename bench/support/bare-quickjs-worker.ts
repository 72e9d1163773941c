import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { newQuickJSWASMModuleFromVariant, newVariant, QuickJSContext, QuickJSRuntime } from 'quickjs-emscripten-core';
import releaseSync from '@jitl/quickjs-wasmfile-release-sync';

/**
 * The bare side of the sandbox benchmark, one thread: quickjs-emscripten driven directly the way a careful user who
 * wants the daemon's isolation would, without the daemon. The `.wasm` is compiled once; every run gets a fresh
 * instance with its own runtime and context over a memory capped like a sandbox's (so ArrayBuffers are bounded
 * too), a stack limit, an interrupt deadline and a console; the memory of the finished run is zeroed and reused
 * and the next instance is built right away. No daemon: no database, no worker messages, no events.
 */
const { runs, code, expected, memoryMb } = workerData as { runs: number; code: string; expected: string; memoryMb: number };
const PAGE = 65_536;
const wasm = new WebAssembly.Module(readFileSync(require.resolve('@jitl/quickjs-wasmfile-release-sync/wasm')));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const glue = require('@jitl/quickjs-wasmfile-release-sync/emscripten-module') as unknown;

interface Instance {
  memory: WebAssembly.Memory;
  rt: QuickJSRuntime;
  ctx: QuickJSContext;
  out: { text: string };
}

async function instance(memory: WebAssembly.Memory): Promise<Instance> {
  const mod = await newQuickJSWASMModuleFromVariant(newVariant({ ...releaseSync, importModuleLoader: async () => glue as never }, { wasmModule: wasm, wasmMemory: memory }));
  const rt = mod.newRuntime();
  rt.setMaxStackSize(512 * 1024);
  const ctx = rt.newContext();
  const out = { text: '' };
  const log = ctx.newFunction('log', (...args) => {
    out.text += `${args.map((a) => ctx.getString(a)).join(' ')}\n`;
  });
  const consoleObj = ctx.newObject();
  ctx.setProp(consoleObj, 'log', log);
  ctx.setProp(ctx.global, 'console', consoleObj);
  log.dispose();
  consoleObj.dispose();
  return { memory, rt, ctx, out };
}

async function main(): Promise<void> {
  const fresh = () => new WebAssembly.Memory({ initial: 256, maximum: Math.max(256, (memoryMb * 1024 * 1024) / PAGE) });
  let next = instance(fresh());
  await next;
  // Every thread warm before any starts: the clock runs from the common start to the last thread's end.
  parentPort!.postMessage({ ready: true });
  await new Promise((go) => parentPort!.once('message', go));
  for (let i = 0; i < runs; i++) {
    const inst = await next;
    const deadline = Date.now() + 5_000;
    inst.rt.setInterruptHandler(() => Date.now() > deadline);
    const r = inst.ctx.evalCode(code);
    if (r.error) {
      const why = inst.ctx.dump(r.error) as unknown;
      r.error.dispose();
      throw new Error(`bare eval failed: ${JSON.stringify(why)}`);
    }
    r.value.dispose();
    if (inst.out.text !== expected) throw new Error(`bare loop: unexpected output ${JSON.stringify(inst.out.text)}`);
    // A memory the guest grew cannot shrink: it goes to the garbage collector, the next run gets a new one.
    const reusable = inst.memory.buffer.byteLength === 256 * PAGE;
    if (reusable) new Uint8Array(inst.memory.buffer).fill(0);
    next = instance(reusable ? inst.memory : fresh());
  }
  parentPort!.postMessage({ done: true });
}

main().catch((e: unknown) => parentPort!.postMessage({ error: (e as Error).message }));
