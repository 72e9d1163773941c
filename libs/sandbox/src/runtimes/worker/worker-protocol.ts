import type { ExecJob, ExecOutcome, OutputChunk } from '../runtime.types';

/** Daemon -> worker. */
export type ToWorker = { type: 'exec'; jobId: number; job: ExecJob } | { type: 'evict'; key: string };

/** Worker -> daemon. `missing` asks for state or a module the worker does not hold. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'chunk'; jobId: number; chunk: OutputChunk }
  | { type: 'done'; jobId: number; outcome: ExecOutcome }
  | { type: 'missing'; jobId: number; what: 'state' | 'module' }
  | { type: 'failed'; jobId: number; code: string; message: string };
