/**
 * The fingerprint index of every JS/TS source under node_modules, cached in `.cache/no-copy` (outside
 * node_modules, so `npm ci` keeps it) under a key of the lockfile and the fingerprint parameters: a warm run only
 * reads it back.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FingerprintIndex } from './fingerprint-index';
import { contentDigest, tokenizeSource, walkSources } from './source-files';
import { FINGERPRINT_VERSION, K, MIN_DISTINCT_TOKENS, W } from './thresholds';

export interface DependencyIndexResult {
  index: FingerprintIndex;
  cached: boolean;
  cacheFile: string;
}

export function dependencyCacheKey(root: string): string {
  const lock = join(root, 'package-lock.json');
  const hash = createHash('sha256');
  hash.update(existsSync(lock) ? readFileSync(lock) : 'no lockfile');
  hash.update(`v${FINGERPRINT_VERSION} k${K} w${W} d${MIN_DISTINCT_TOKENS}`);
  return hash.digest('hex').slice(0, 16);
}

export function loadDependencyIndex(root: string, cacheDir: string): DependencyIndexResult {
  const cacheFile = join(cacheDir, `dependencies-${dependencyCacheKey(root)}.json`);
  if (existsSync(cacheFile)) {
    try {
      return { index: FingerprintIndex.parse(readFileSync(cacheFile, 'utf8'), cacheFile), cached: true, cacheFile };
    } catch {
      // Unreadable (another version's, or damaged): rebuilt below.
    }
  }
  const index = buildDependencyIndex(root);
  mkdirSync(cacheDir, { recursive: true });
  for (const old of readdirSync(cacheDir)) if (old.startsWith('dependencies-')) rmSync(join(cacheDir, old), { force: true });
  writeAtomically(cacheFile, index.serialise());
  return { index, cached: false, cacheFile };
}

/** Two runs at once must never let one read the other's half-written cache: write aside, then rename. */
export function writeAtomically(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

export function buildDependencyIndex(root: string): FingerprintIndex {
  const index = new FingerprintIndex('node_modules', 1 << 20);
  const nodeModules = join(root, 'node_modules');
  if (!existsSync(nodeModules)) return index;
  const seen = new Set<string>();
  const files = walkSources(nodeModules, root, (name) => name === '.cache' || name === '.bin' || name === '.git');
  for (const path of files) {
    const text = readFileSync(join(root, path), 'utf8');
    const digest = contentDigest(text);
    if (seen.has(digest)) continue;
    seen.add(digest);
    index.add(path, tokenizeSource(path, text));
  }
  return index;
}
