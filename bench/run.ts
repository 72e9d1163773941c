import 'reflect-metadata';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Benchmark } from './support/benchmark';

/** `npm run bench -- <name> [options]` runs `bench/<name>.bench.ts`. */
async function main(): Promise<void> {
  const [name, ...rest] = process.argv.slice(2);
  const available = readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.ts'))
    .map((f) => f.slice(0, -'.bench.ts'.length))
    .sort();
  if (!name || !/^[a-z][a-z0-9-]*$/.test(name) || !existsSync(join(__dirname, `${name}.bench.ts`))) {
    process.stderr.write(`usage: npm run bench -- <name> [options]\navailable: ${available.join(', ')}\n`);
    process.exit(2);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { benchmark } = require(`./${name}.bench`) as { benchmark: Benchmark };
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
