import { Worker } from 'node:worker_threads';
import { LineFacts } from '../domain/line-facts';
import { analyzeChunk, ChunkJob, packFacts, subtreeRoot, SubtreeJob, unpackFacts, VerifyJob } from './verify-worker';

type Reply = { id: number; ok: boolean; error?: string; parts?: ReturnType<typeof packFacts>; root?: Uint8Array };

/**
 * Worker threads plus the calling thread, pulling jobs from one queue: the caller starts hashing
 * at once while workers boot, and small jobs keep every core busy until the end.
 */
export class VerifierPool {
  private readonly workers: Worker[] = [];

  constructor(workers: number) {
    const script = require.resolve('./verify-worker');
    // Under ts-node/ts-jest the worker is TypeScript: load it through ts-node inside the thread.
    const ts = script.endsWith('.ts');
    const source = ts
      ? `if (!require.extensions['.ts']) require(${JSON.stringify(require.resolve('ts-node'))}).register({ transpileOnly: true, compilerOptions: { module: 'commonjs' } });
         require(${JSON.stringify(script)});`
      : script;
    for (let i = 0; i < workers; i++) this.workers.push(new Worker(source, { eval: ts, workerData: { auditVerifyWorker: true } }));
  }

  chunks(jobs: ChunkJob[]): Promise<LineFacts[]> {
    return this.map<LineFacts>(jobs, (j) => analyzeChunk(j as ChunkJob), (r) => unpackFacts(r.parts!));
  }

  subtrees(jobs: SubtreeJob[]): Promise<Buffer[]> {
    return this.map<Buffer>(jobs, (j) => subtreeRoot(j as SubtreeJob), (r) => Buffer.from(r.root!));
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private async map<R>(jobs: VerifyJob[], local: (j: VerifyJob) => R, decode: (r: Reply) => R): Promise<R[]> {
    const results = new Array<R>(jobs.length);
    let next = 0;
    const pull = () => (next < jobs.length ? next++ : -1);
    const remote = this.workers.map(
      (w) =>
        new Promise<void>((resolve, reject) => {
          const onError = (e: Error) => reject(e);
          const onMessage = (r: Reply) => {
            if (!r.ok) return reject(new Error(r.error ?? 'verifier worker failed'));
            results[r.id] = decode(r);
            feed();
          };
          const feed = () => {
            const i = pull();
            if (i >= 0) return w.postMessage({ id: i, job: jobs[i] });
            w.off('message', onMessage);
            w.off('error', onError);
            resolve();
          };
          w.on('message', onMessage);
          w.on('error', onError);
          feed();
        }),
    );
    for (let i = pull(); i >= 0; i = pull()) {
      results[i] = local(jobs[i]);
      // Let worker replies in, so they get their next job while this thread keeps working.
      await new Promise<void>((r) => setImmediate(r));
    }
    await Promise.all(remote);
    return results;
  }
}
