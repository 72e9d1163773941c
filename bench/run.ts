import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Minimal dispatcher: `npm run bench -- <name> [args]` runs the `benchmark` exported by
 * `bench/<name>.bench.ts`. (The benchmarks helper owns the full version of this file.)
 */
async function main(): Promise<void> {
  const [name, ...rest] = process.argv.slice(2);
  if (!name || !/^[a-z][a-z0-9-]*$/.test(name) || !existsSync(join(__dirname, `${name}.bench.ts`))) {
    process.stderr.write('usage: npm run bench -- <name> [options]\n');
    process.exit(2);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { benchmark } = require(`./${name}.bench`) as { benchmark: { description: string; run(argv: string[]): Promise<void> } };
  process.stdout.write(`${name}: ${benchmark.description}\n`);
  await benchmark.run(rest);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`benchmark failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
