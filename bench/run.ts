import 'reflect-metadata';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** `npm run bench -- <name> [options]` runs the exported `run(argv)` of `bench/<name>.bench.ts`. */
async function main(): Promise<void> {
  const [name, ...rest] = process.argv.slice(2);
  const available = readdirSync(__dirname).filter((f) => f.endsWith('.bench.ts')).map((f) => f.slice(0, -'.bench.ts'.length));
  if (!name || !/^[a-z][a-z0-9-]*$/.test(name) || !existsSync(join(__dirname, `${name}.bench.ts`))) {
    process.stderr.write(`usage: npm run bench -- <name> [options]\navailable: ${available.join(', ')}\n`);
    process.exit(2);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(`./${name}.bench`) as { run?: (argv: string[]) => Promise<void>; benchmark?: { run(argv: string[]): Promise<void> } };
  await (mod.run ?? mod.benchmark!.run)(rest);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`benchmark failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
