import { join } from 'node:path';
import { writeSection } from './benchmarks-doc';

/** What `bench/<name>.bench.ts` exports as `benchmark`. */
export interface Benchmark {
  description: string;
  /** `argv` are the arguments after the benchmark's name. */
  run(argv: string[]): Promise<void>;
}

export const BENCHMARKS_DOC = join(__dirname, '..', '..', 'docs', 'BENCHMARKS.md');

/** A `--name` option parsed as a positive integer (parseArgs hands back strings). */
export function positiveInt(values: Record<string, string | boolean | undefined>, name: string): number {
  const v = Number(values[name]);
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a positive integer`);
  return v;
}

/**
 * Prints the result table and verdict, then (unless `write` is false, i.e. --no-write) records them
 * with the description of the run as the benchmark's section of BENCHMARKS.md.
 */
export async function reportResult(name: string, r: { description: string[]; table: string; verdict: string; write: boolean }): Promise<void> {
  process.stdout.write(`\n${r.table}\n\n${r.verdict.replace(/\*\*/g, '')}\n`);
  if (!r.write) return;
  const body = [`## ${name}`, '', ...r.description, '', r.table, '', r.verdict].join('\n');
  await writeSection(BENCHMARKS_DOC, name, body);
  process.stdout.write(`\nrecorded in ${BENCHMARKS_DOC}\n`);
}
