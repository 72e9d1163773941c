import { join } from 'node:path';

/** What `bench/<name>.bench.ts` exports as `benchmark`. */
export interface Benchmark {
  description: string;
  /** `argv` are the arguments after the benchmark's name. */
  run(argv: string[]): Promise<void>;
}

export const BENCHMARKS_DOC = join(__dirname, '..', '..', 'docs', 'BENCHMARKS.md');
