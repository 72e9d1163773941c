/** Which files are scanned: the project's own sources, a dependency tree, or a checkout to index as a corpus. */
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { Language, tokenize, TokenStream } from './tokenizer';
import { typeOnlyRanges } from './type-erasure';

const CODE = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/;
const SQL = /\.sql$/;
const TYPESCRIPT = /\.(ts|tsx|mts|cts)$/;
/** Type declarations describe an API, they do not implement it; minified files have a readable twin beside them. */
const NOT_IMPLEMENTATION = /(\.d\.[mc]?ts|\.min\.js)$/;
/** Never part of the project's own code: test fixtures (planted copies live there), installs and build output. */
const EXCLUDED_DIRS = /(^|\/)(node_modules|dist|coverage|fixtures|\.git)\//;

export function languageOf(path: string): Language | undefined {
  if (SQL.test(path)) return 'sql';
  if (CODE.test(path) && !NOT_IMPLEMENTATION.test(path)) return 'js';
  return undefined;
}

/** Tokens of a source file by its name: SQL, JavaScript, or TypeScript read without its type-only syntax. */
export function tokenizeSource(path: string, text: string): TokenStream {
  const language = languageOf(path);
  if (!language) throw new Error(`${path}: not a source file`);
  return tokenize(text, language, TYPESCRIPT.test(path) ? typeOnlyRanges(text, path) : []);
}

/** Project files to check, from the list git gives (tracked and untracked-not-ignored). */
export function projectSources(files: string[]): string[] {
  return files.filter((f) => languageOf(f) && !EXCLUDED_DIRS.test(f)).sort();
}

/** Every source file under `dir`, relative to `base`, skipping symlinks and the folders named in `skip`. */
export function walkSources(dir: string, base: string, skip: (name: string, relativeDir: string) => boolean): string[] {
  const out: string[] = [];
  const visit = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) {
        if (!skip(entry.name, relative(base, path).split(sep).join('/'))) visit(path);
      } else if (entry.isFile() && languageOf(entry.name)) {
        out.push(relative(base, path).split(sep).join('/'));
      }
    }
  };
  visit(dir);
  return out.sort();
}

/** Content digest, so the same file shipped by several packages (or versions) is indexed once. */
export function contentDigest(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}
