import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { describeTree } from './package-tree';

type Log = (level: 'info' | 'warn' | 'debug', message: string) => void;

/** Part of every key: a change of the copy's layout never reuses a copy of the old one. */
const LAYOUT = 'package-closure-1';
const MARKER = '.complete';

export interface SharedCopyOptions {
  /** The checkout's node_modules and the packages (relative to it) to copy. */
  sourceModules: string;
  packages: string[];
  /** Directory others can traverse (e.g. /var/lib/cave); the copy is `<sharedDir>/<name>-<key>`. */
  sharedDir: string;
  name: string;
  log: Log;
  /** Logged when no copy exists yet. */
  firstCopyMessage: (at: string) => string;
}

/**
 * A self-contained copy of `packages` under `sharedDir`: every file is copied (nothing links back to
 * the checkout that made it), and it is keyed by a hash of the packages' layout, sizes and manifests,
 * so checkouts with the same packages share one copy and a checkout with other versions gets its own.
 *
 * `<name>-<key>` is a symlink to the real directory. A copy is built in a private staging directory
 * and published by creating (first time) or atomically replacing (rebuild) that link, so a start
 * never sees a half-made tree, and a running process keeps the directory it resolved. A copy whose
 * content no longer matches (a file gone, a package replaced by a link, another version) is rebuilt.
 * Returns the real directory of a sound copy.
 */
export async function ensureSharedCopy(o: SharedCopyOptions): Promise<string> {
  const expected = await describeTree(o.sourceModules, o.packages, 'follow');
  const key = createHash('sha256').update(`${LAYOUT}\n${expected.join('\n')}`).digest('hex').slice(0, 16);
  const link = join(o.sharedDir, `${o.name}-${key}`);
  const current = await fs.realpath(link).catch(() => undefined);
  const problemOf = (dir: string) => problemWith(dir, key, expected, o.packages);
  if (current) {
    const problem = await problemOf(current);
    if (!problem) return current;
    o.log('warn', `the shared copy ${current} is broken (${problem}); rebuilding it`);
  } else if (await fs.lstat(link).catch(() => undefined)) {
    o.log('warn', `the shared copy ${link} points at a directory that is gone; rebuilding it`);
  } else {
    o.log('warn', o.firstCopyMessage(link));
  }
  const built = await build(o, link, key, problemOf);
  return publish(link, built, current, problemOf);
}

async function problemWith(dir: string, key: string, expected: string[], packages: string[]): Promise<string | undefined> {
  const marker = await fs.readFile(join(dir, MARKER), 'utf8').catch(() => undefined);
  if (marker?.trim() !== key) return marker === undefined ? `no ${MARKER} marker` : `${MARKER} names another build`;
  const actual = await describeTree(join(dir, 'node_modules'), packages, 'refuse').catch((e: Error) => e);
  if (actual instanceof Error) return actual.message;
  const held = new Set(actual);
  const lacking = expected.find((line) => !held.has(line));
  if (lacking) return `${lacking.split('\t')[0]} is missing or differs`;
  const wanted = new Set(expected);
  const extra = actual.find((line) => !wanted.has(line));
  return extra ? `${extra.split('\t')[0]} should not be there` : undefined;
}

async function build(o: SharedCopyOptions, link: string, key: string, problemOf: (dir: string) => Promise<string | undefined>): Promise<string> {
  // Others (the postgres OS user) must traverse the shared directory; only it and the copy are chmod-ed.
  await fs.mkdir(o.sharedDir, { recursive: true, mode: 0o755 });
  await fs.chmod(o.sharedDir, 0o755);
  const staging = `${link}.${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    for (const rel of o.packages) {
      const source = await fs.realpath(join(o.sourceModules, rel));
      const target = join(staging, 'node_modules', rel);
      await fs.mkdir(dirname(target), { recursive: true });
      // Nested packages are closure entries of their own; anything else under node_modules is not needed.
      const nested = join(source, 'node_modules');
      await fs.cp(source, target, { recursive: true, verbatimSymlinks: true, filter: (path) => path !== nested });
    }
    await chmodTree(staging);
    await fs.writeFile(join(staging, MARKER), `${key}\n`);
    const problem = await problemOf(staging);
    if (problem) throw new Error(`the copy in ${staging} came out wrong (${problem})`);
    return staging;
  } catch (e) {
    await fs.rm(staging, { recursive: true, force: true });
    throw e;
  }
}

async function publish(link: string, built: string, broken: string | undefined, problemOf: (dir: string) => Promise<string | undefined>): Promise<string> {
  if (!(await fs.lstat(link).catch(() => undefined))) {
    try {
      await fs.symlink(basename(built), link);
      return built;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  // Another start may have published a sound copy meanwhile (both saw none, or both a broken one).
  const now = await fs.realpath(link).catch(() => undefined);
  if (now && now !== broken && !(await problemOf(now))) {
    await fs.rm(built, { recursive: true, force: true });
    return now;
  }
  let stale = broken;
  if ((await fs.lstat(link)).isDirectory()) {
    // A real directory in the link's place (not made by this code) cannot be replaced atomically.
    stale = `${link}.stale-${process.pid}`;
    await fs.rename(link, stale);
  }
  const next = `${built}.link`;
  await fs.symlink(basename(built), next);
  await fs.rename(next, link);
  if (stale) await fs.rm(stale, { recursive: true, force: true });
  return built;
}

/** Directories readable and searchable by others (file modes are kept: binaries stay executable). */
async function chmodTree(dir: string): Promise<void> {
  await fs.chmod(dir, 0o755);
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) await chmodTree(join(dir, entry.name));
  }
}
