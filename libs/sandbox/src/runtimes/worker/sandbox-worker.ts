import { parentPort } from 'node:worker_threads';
import { OutputCapture } from '../output-capture';
import { QuickJsInstance, SnapshotIncompatibleError } from '../quickjs/quickjs-instance';
import type { ExecOutcome, JsExecJob, WasiExecJob } from '../runtime.types';
import { EXIT_CODE } from '../runtime.types';
import { decodeSnapshot, encodeSnapshot, SnapshotFormatError } from '../snapshot-codec';
import { runWasi } from '../wasi/wasi-runner';
import type { FromWorker, ToWorker } from './worker-protocol';

/**
 * Entry of a sandbox worker thread. Runs one exec at a time, so a guest that spins blocks only this
 * thread (the daemon's event loop keeps serving) and the daemon can `terminate()` it as the last
 * resort. Holds, best effort, the live QuickJS instances of persistent sandboxes it ran last
 * (keyed by sandbox and state version) and compiled WASI modules (by hash).
 */
const port = parentPort!;
const persistent = new Map<string, { version: number; instance: QuickJsInstance }>();
const modules = new Map<string, WebAssembly.Module>();
const MAX_CACHED_INSTANCES = 8;
const MAX_CACHED_MODULES = 16;
/**
 * Fresh Quick Mode instances built ahead, by cap (memoryMb), most recently used last: the next quick exec of that
 * cap only evaluates its code. Each is built over the zeroed memory of the quick instance that just ended, once
 * that exec's answer has left (off the exec's path), so there is no 16 MiB allocation per exec either.
 */
const spares = new Map<number, Promise<QuickJsInstance>>();
const MAX_SPARE_CAPS = 4;
/** A finished quick instance whose memory is recycled once its outcome has been sent (off the exec's path). */
let finished: QuickJsInstance | undefined;
/** The cap a sandbox gets when it names none (LIMIT_BOUNDS.memoryMb.default): the warm-up builds its spare. */
const DEFAULT_MEMORY_MB = 64;

const send = (m: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

port.on('message', (m: ToWorker) => {
  if (m.type === 'evict') {
    persistent.delete(m.key);
    return;
  }
  void run(m.jobId, m.job.kind === 'javascript' ? () => runJs(m.jobId, m.job as JsExecJob) : () => Promise.resolve(runModule(m.jobId, m.job as WasiExecJob)));
});
// Warm up before taking work: compile the QuickJS module and build the first spare instance, so the first exec
// of a fresh thread (also one replacing a killed thread) costs what every other exec costs.
prepare(DEFAULT_MEMORY_MB).then(
  () => send({ type: 'ready' }),
  () => send({ type: 'ready' }),
);

async function run(jobId: number, fn: () => Promise<ExecOutcome | 'missing'>): Promise<void> {
  try {
    const outcome = await fn();
    if (outcome === 'missing') return;
    send({ type: 'done', jobId, outcome }, outcome.state ? [outcome.state.image.buffer as ArrayBuffer] : []);
  } catch (e) {
    const code = e instanceof SnapshotIncompatibleError || e instanceof SnapshotFormatError ? e.code : 'SANDBOX.RUNTIME_FAILED';
    send({ type: 'failed', jobId, code, message: (e as Error).message });
  } finally {
    recycleFinished();
  }
}

/** Zeroes the memory of the quick instance that just ended, after its answer left, and builds the next one on it. */
function recycleFinished(): void {
  const inst = finished;
  finished = undefined;
  if (!inst) return;
  const memory = inst.recycleMemory();
  if (!spares.has(inst.memoryMb)) void prepare(inst.memoryMb, memory).catch(() => undefined);
}

/** Builds the spare instance of cap `memoryMb` (over `memory` when given); a failed build leaves no spare. */
function prepare(memoryMb: number, memory?: WebAssembly.Memory): Promise<QuickJsInstance> {
  const built = QuickJsInstance.create(memoryMb, memory);
  spares.set(memoryMb, built);
  built.catch(() => spares.get(memoryMb) === built && spares.delete(memoryMb));
  while (spares.size > MAX_SPARE_CAPS) spares.delete(spares.keys().next().value as number);
  return built;
}

/** The spare instance of this cap (waiting for it when it is still being built), or a new one. */
async function quickInstance(memoryMb: number): Promise<QuickJsInstance> {
  const spare = spares.get(memoryMb);
  spares.delete(memoryMb);
  if (spare) {
    const ready = await spare.catch(() => undefined);
    if (ready) return ready;
  }
  return QuickJsInstance.create(memoryMb);
}

async function runJs(jobId: number, job: JsExecJob): Promise<ExecOutcome | 'missing'> {
  const started = performance.now();
  let instance: QuickJsInstance;
  const p = job.persistent;
  if (p) {
    const cached = persistent.get(p.key);
    if (cached && cached.version === p.version && cached.instance.usable) instance = cached.instance;
    else if (p.image) {
      const { header, bytes } = decodeSnapshot(p.image);
      instance = await QuickJsInstance.restore(header, bytes);
    } else if (p.version === 0) instance = await quickInstance(job.limits.memoryMb);
    else {
      send({ type: 'missing', jobId, what: 'state' });
      return 'missing';
    }
    persistent.delete(p.key);
  } else {
    instance = await quickInstance(job.limits.memoryMb);
    finished = instance;
  }

  const output = new OutputCapture(job.limits.maxOutputBytes, (chunk) => send({ type: 'chunk', jobId, chunk }));
  const result = instance.eval(job.code, Date.now() + job.limits.timeoutMs, output);
  const outcome = finish(output, started, result.error);
  if (p && instance.usable) {
    const { header, bytes } = instance.image();
    const { blob, sha256, rawBytes } = encodeSnapshot(header, bytes);
    outcome.state = { image: new Uint8Array(blob.buffer, blob.byteOffset, blob.byteLength).slice(), sha256, rawBytes };
    // Cached under the version the daemon will store it as; a failed store evicts it.
    persistent.set(p.key, { version: p.version + 1, instance });
    while (persistent.size > MAX_CACHED_INSTANCES) persistent.delete(persistent.keys().next().value as string);
  }
  return outcome;
}

function runModule(jobId: number, job: WasiExecJob): ExecOutcome | 'missing' {
  const started = performance.now();
  let module = modules.get(job.moduleSha256);
  if (!module) {
    if (!job.module) {
      send({ type: 'missing', jobId, what: 'module' });
      return 'missing';
    }
    module = new WebAssembly.Module(new Uint8Array(job.module));
    modules.set(job.moduleSha256, module);
    while (modules.size > MAX_CACHED_MODULES) modules.delete(modules.keys().next().value as string);
  }
  const output = new OutputCapture(job.limits.maxOutputBytes, (chunk) => send({ type: 'chunk', jobId, chunk }));
  const result = runWasi({ module, args: job.args, env: job.env, stdin: Buffer.from(job.stdin, 'utf8'), memoryMb: job.limits.memoryMb, output });
  return finish(output, started, result.error, result.exitCode);
}

function finish(output: OutputCapture, started: number, error?: ExecOutcome['error'], exitCode?: number): ExecOutcome {
  const out = output.finish();
  const code = exitCode ?? (error ? (error.code === 'TIMEOUT' ? EXIT_CODE.timeout : error.code === 'OOM' ? EXIT_CODE.oom : EXIT_CODE.runtimeError) : EXIT_CODE.ok);
  return {
    exitCode: code,
    stdout: out.stdout.text,
    stderr: out.stderr.text,
    truncated: out.truncated,
    stdoutBytes: out.stdout.bytes,
    stderrBytes: out.stderr.bytes,
    stdoutSha256: out.stdout.sha256,
    stderrSha256: out.stderr.sha256,
    durationMs: Math.round((performance.now() - started) * 100) / 100,
    ...(error && { error }),
  };
}
