import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ExecJob, ExecOutcome, OutputChunk } from '../runtime.types';
import { EXIT_CODE } from '../runtime.types';
import { sha256Hex } from '../snapshot-codec';
import type { FromWorker, ToWorker } from './worker-protocol';

export interface PoolOptions {
  size: number;
  /** Extra wall time a QuickJS guest gets past its deadline before its thread is killed (its interrupt normally ends it first). */
  graceMs?: number;
}

/** What a job needs from the daemon when the worker does not hold it yet. */
export type Supply = (what: 'state' | 'module') => Promise<Uint8Array>;

export interface PoolJob {
  job: ExecJob;
  /** Sandbox whose stop/delete must end this exec. */
  sandboxId: string;
  onChunk: (chunk: OutputChunk) => void;
  supply: Supply;
}

export class WorkerJobFailed extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface Running {
  jobId: number;
  req: PoolJob;
  chunks: OutputChunk[];
  started: number;
  watchdog?: NodeJS.Timeout;
  resolve: (o: ExecOutcome) => void;
  reject: (e: Error) => void;
  killedFor?: 'timeout' | 'cancel';
}

interface Slot {
  index: number;
  worker: Worker;
  ready: Promise<void>;
  running?: Running;
  /** Warm and listening: only then does it take a job (the watchdog must not count a thread's boot). */
  isReady: boolean;
  /** Persistent sandboxes whose live instance this worker holds. */
  holds: Set<string>;
}

/**
 * A fixed set of worker threads that run guest code off the daemon's event loop. One exec per
 * thread at a time; more wait in a FIFO queue (callers bound it with their concurrency caps). A
 * thread that overruns its deadline (a WASI guest cannot be interrupted; a QuickJS guest past its
 * grace) or whose sandbox is stopped is terminated and replaced: the exec ends as TIMEOUT or with
 * an error, and its memory goes with the thread.
 */
export class SandboxWorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: { req: PoolJob; resolve: (o: ExecOutcome) => void; reject: (e: Error) => void }[] = [];
  private nextJob = 1;
  private closed = false;
  /** Threads replaced after a kill, for metrics. */
  killed = 0;

  constructor(private readonly opts: PoolOptions) {}

  /**
   * Threads start on first use (a daemon that never runs code pays nothing); resolves when every thread is
   * warm. Requests need not wait for it: jobs queue until a thread is ready.
   */
  async ready(): Promise<void> {
    this.ensureStarted();
    await Promise.all(this.slots.map((s) => s.ready));
  }

  private ensureStarted(): void {
    if (this.slots.length > 0 || this.closed) return;
    for (let i = 0; i < this.opts.size; i++) this.slots.push(this.spawn(i));
  }

  get busy(): number {
    return this.slots.filter((s) => s.running).length + this.queue.length;
  }

  run(req: PoolJob): Promise<ExecOutcome> {
    if (this.closed) return Promise.reject(new WorkerJobFailed('SANDBOX.RUNTIME_UNAVAILABLE', 'the sandbox runtime is shutting down'));
    this.ensureStarted();
    return new Promise((resolve, reject) => {
      this.queue.push({ req, resolve, reject });
      this.pump();
    });
  }

  /** Ends every exec of `sandboxId` (queued or running): stop and delete free its threads and memory at once. */
  cancel(sandboxId: string): void {
    for (let i = this.queue.length - 1; i >= 0; i--) {
      if (this.queue[i].req.sandboxId !== sandboxId) continue;
      const [q] = this.queue.splice(i, 1);
      q.reject(new WorkerJobFailed('SANDBOX.EXEC_CANCELLED', 'the sandbox was stopped'));
    }
    for (const s of this.slots) {
      if (s.running?.req.sandboxId === sandboxId) this.kill(s, 'cancel');
      if (s.holds.has(sandboxId)) {
        s.holds.delete(sandboxId);
        s.worker.postMessage({ type: 'evict', key: sandboxId } satisfies ToWorker);
      }
    }
  }

  /** The stored state of a persistent sandbox moved on without this daemon: drop any live copy. */
  evict(key: string): void {
    for (const s of this.slots) {
      if (!s.holds.delete(key)) continue;
      s.worker.postMessage({ type: 'evict', key } satisfies ToWorker);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const q of this.queue.splice(0)) q.reject(new WorkerJobFailed('SANDBOX.RUNTIME_UNAVAILABLE', 'the sandbox runtime is shutting down'));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const idle = this.slots.filter((s) => s.isReady && !s.running);
      if (idle.length === 0) return;
      const next = this.queue[0];
      const key = next.req.job.kind === 'javascript' ? next.req.job.persistent?.key : undefined;
      const slot = (key && idle.find((s) => s.holds.has(key))) || idle[0];
      this.queue.shift();
      this.start(slot, next.req, next.resolve, next.reject);
    }
  }

  private start(slot: Slot, req: PoolJob, resolve: (o: ExecOutcome) => void, reject: (e: Error) => void): void {
    const jobId = this.nextJob++;
    const running: Running = { jobId, req, chunks: [], started: performance.now(), resolve, reject };
    slot.running = running;
    const budget = req.job.limits.timeoutMs + (req.job.kind === 'wasi' ? 0 : (this.opts.graceMs ?? 250));
    running.watchdog = setTimeout(() => this.kill(slot, 'timeout'), budget);
    running.watchdog.unref();
    slot.worker.postMessage({ type: 'exec', jobId, job: req.job } satisfies ToWorker);
  }

  private onMessage(slot: Slot, m: FromWorker): void {
    const r = slot.running;
    if (m.type === 'ready' || !r || m.jobId !== r.jobId) return;
    switch (m.type) {
      case 'chunk':
        r.chunks.push(m.chunk);
        r.req.onChunk(m.chunk);
        return;
      case 'missing':
        void r.req.supply(m.what).then(
          (bytes) => {
            if (slot.running !== r) return;
            const job = r.req.job.kind === 'javascript' ? { ...r.req.job, persistent: { ...r.req.job.persistent!, image: bytes } } : { ...r.req.job, module: bytes };
            slot.worker.postMessage({ type: 'exec', jobId: r.jobId, job } satisfies ToWorker);
          },
          (e: Error) => this.settle(slot, r, () => r.reject(e)),
        );
        return;
      case 'done': {
        const key = r.req.job.kind === 'javascript' ? r.req.job.persistent?.key : undefined;
        if (key) {
          for (const s of this.slots) s.holds.delete(key);
          if (m.outcome.state) slot.holds.add(key);
        }
        this.settle(slot, r, () => r.resolve(m.outcome));
        return;
      }
      case 'failed':
        this.settle(slot, r, () => r.reject(new WorkerJobFailed(m.code, m.message)));
        return;
    }
  }

  private settle(slot: Slot, r: Running, fn: () => void): void {
    if (slot.running !== r) return;
    clearTimeout(r.watchdog);
    slot.running = undefined;
    fn();
    this.pump();
  }

  /** Terminates the thread (the only way to stop a WASI guest) and puts a fresh one in its place. */
  private kill(slot: Slot, why: 'timeout' | 'cancel'): void {
    const r = slot.running;
    if (!r) return;
    r.killedFor = why;
    this.killed++;
    void slot.worker.terminate();
    const replacement = this.spawn(slot.index);
    this.slots[slot.index] = replacement;
    clearTimeout(r.watchdog);
    slot.running = undefined;
    if (why === 'cancel') r.reject(new WorkerJobFailed('SANDBOX.EXEC_CANCELLED', 'the sandbox was stopped'));
    else r.resolve(killedOutcome(r));
    this.pump();
  }

  private spawn(index: number): Slot {
    const worker = startWorker();
    let markReady: () => void = () => undefined;
    const ready = new Promise<void>((res) => (markReady = res));
    const slot: Slot = { index, worker, ready, isReady: false, holds: new Set() };
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'ready') {
        slot.isReady = true;
        markReady();
        this.pump();
      }
      this.onMessage(slot, m);
    });
    worker.on('error', (e) => {
      // A crashed thread (not a guest error: those are results) fails its job and is replaced.
      const r = slot.running;
      if (this.slots[index] === slot && !this.closed) this.slots[index] = this.spawn(index);
      if (r) this.settle(slot, r, () => r.reject(new WorkerJobFailed('SANDBOX.RUNTIME_FAILED', `sandbox worker crashed: ${e.message}`)));
    });
    worker.unref();
    return slot;
  }
}

/** An exec whose thread was killed at its deadline: what it printed until then, marked as TIMEOUT. */
function killedOutcome(r: Running): ExecOutcome {
  const text = (s: 'stdout' | 'stderr') => r.chunks.filter((c) => c.stream === s).map((c) => c.chunk).join('');
  const stdout = text('stdout');
  const stderr = text('stderr');
  return {
    exitCode: EXIT_CODE.timeout,
    stdout,
    stderr,
    truncated: false,
    stdoutBytes: Buffer.byteLength(stdout),
    stderrBytes: Buffer.byteLength(stderr),
    stdoutSha256: sha256Hex(Buffer.from(stdout)),
    stderrSha256: sha256Hex(Buffer.from(stderr)),
    durationMs: Math.round(performance.now() - r.started),
    error: { code: 'TIMEOUT', message: 'the exec ran past its time limit and its thread was terminated' },
  };
}

/** Compiled JavaScript in production; under ts-jest / ts-node the worker compiles its TypeScript itself. */
function startWorker(): Worker {
  const ext = extname(__filename);
  const file = join(__dirname, `sandbox-worker${ext}`);
  const resourceLimits = { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 32 };
  // node:wasi prints an ExperimentalWarning on load; it says nothing an operator can act on.
  const execArgv = ['--no-warnings'];
  if (ext === '.ts') {
    const boot = `require('ts-node').register({ transpileOnly: true, compilerOptions: { module: 'commonjs' } }); require(${JSON.stringify(file)});`;
    return new Worker(boot, { eval: true, resourceLimits, execArgv });
  }
  return new Worker(file, { resourceLimits, execArgv });
}
