/**
 * Corpora: fingerprints of other public repositories, built from a checkout with
 * `npm run no-copy -- index <dir> --name <repo@commit>` and kept in tools/no-copy/corpora. They hold file paths,
 * hashes and line numbers only, so no source text of the other project enters this repository.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FingerprintIndex } from './fingerprint-index';
import { Reference } from './matcher';
import { contentDigest, tokenizeSource, walkSources } from './source-files';

export const CORPORA_DIR = 'tools/no-copy/corpora';
const SKIPPED_DIRS = new Set(['node_modules', '.git', 'dist', 'build', 'coverage', 'vendor']);

export function corpusFileName(name: string): string {
  return `${name.replace(/[^A-Za-z0-9@._-]+/g, '_')}.json`;
}

export function buildCorpus(dir: string, name: string): FingerprintIndex {
  const index = new FingerprintIndex(name);
  const seen = new Set<string>();
  for (const path of walkSources(dir, dir, (entry) => SKIPPED_DIRS.has(entry))) {
    const text = readFileSync(join(dir, path), 'utf8');
    const digest = contentDigest(text);
    if (seen.has(digest)) continue;
    seen.add(digest);
    index.add(path, tokenizeSource(path, text));
  }
  return index;
}

/** Every corpus in `dir` as a reference reported as `corpus:<name>/<path>`. */
export function loadCorpora(dir: string): Reference[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const index = FingerprintIndex.parse(readFileSync(join(dir, f), 'utf8'), join(dir, f));
      return { label: `corpus:${index.name}/`, index };
    });
}
