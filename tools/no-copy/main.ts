/**
 * `npm run no-copy [-- <command>]`: the clean-room checks (docs/FEATURE_ORIGINS.md, entry 24).
 *   (no command)      lint-origins, then the clone scan; exit 1 on any error or unallowed match
 *   lint-origins      template fields, test files, commit hashes, allow-list justifications
 *   fill-commits      add `Feature-Origin:` trailer commits to their entries
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { allowListAnchors, ORIGINS_DOCUMENT, readAllowList } from './allowed-matches';
import { Git } from './git';
import { readTrailers } from './origins/commit-trailers';
import { fillCommits } from './origins/fill-commits';
import { lintOrigins } from './origins/lint-origins';
import { parseOriginsDocument } from './origins/origins-document';

const ROOT = resolve(__dirname, '../..');
const ALLOW_LIST = join(ROOT, 'tools/no-copy/allow-list.json');

function runLintOrigins(): boolean {
  const git = new Git(ROOT);
  const hasGit = git.available();
  const doc = parseOriginsDocument(readFileSync(join(ROOT, ORIGINS_DOCUMENT), 'utf8'));
  const result = lintOrigins(doc, {
    fileExists: (p) => existsSync(join(ROOT, p)),
    existingCommits: hasGit ? (hashes) => git.existingCommits(hashes) : undefined,
    shallow: hasGit && git.shallow(),
    trailers: hasGit ? readTrailers(git) : [],
    allowListAnchors: allowListAnchors(readAllowList(ALLOW_LIST)),
  });
  for (const w of result.warnings) console.warn(`warning: ${w}`);
  for (const e of result.errors) console.error(`error: ${e}`);
  console.log(`lint-origins: ${doc.entries.length} entries, ${result.errors.length} errors, ${result.warnings.length} warnings`);
  return result.errors.length === 0;
}

function runFillCommits(): boolean {
  const git = new Git(ROOT);
  const path = join(ROOT, ORIGINS_DOCUMENT);
  const text = readFileSync(path, 'utf8');
  const { text: next, added } = fillCommits(text, parseOriginsDocument(text), readTrailers(git));
  if (added.length > 0) writeFileSync(path, next);
  for (const a of added) console.log(`added ${a}`);
  console.log(`fill-commits: ${added.length} commits added`);
  return true;
}

function main(argv: string[]): number {
  const [command = 'check'] = argv;
  switch (command) {
    case 'lint-origins':
      return runLintOrigins() ? 0 : 1;
    case 'fill-commits':
      return runFillCommits() ? 0 : 1;
    case 'check':
      return runLintOrigins() ? 0 : 1;
    default:
      console.error(`unknown command "${command}"; use lint-origins, fill-commits or no command`);
      return 2;
  }
}

process.exitCode = main(process.argv.slice(2));
