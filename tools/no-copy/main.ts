/**
 * `npm run no-copy [-- <command>]`: the clean-room checks (docs/FEATURE_ORIGINS.md, entry 24).
 *   (no command)      lint-origins, then the clone scan; exit 1 on any error or unallowed match
 *   lint-origins      template fields, test files, commit hashes, allow-list justifications
 *   fill-commits      add `Feature-Origin:` trailer commits to their entries
 *   scan              the clone scan only
 *   index <dir> --name <repo@commit> [--out <file>]
 *                     write the fingerprints of a checkout to tools/no-copy/corpora (hashes only)
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { allowListAnchors, ORIGINS_DOCUMENT, readAllowList } from './allowed-matches';
import { Git } from './git';
import { readTrailers } from './origins/commit-trailers';
import { fillCommits } from './origins/fill-commits';
import { lintOrigins } from './origins/lint-origins';
import { parseOriginsDocument } from './origins/origins-document';
import { buildCorpus, CORPORA_DIR, corpusFileName, loadCorpora } from './scan/corpus';
import { loadDependencyIndex } from './scan/dependency-index';
import { ProjectTokenCache } from './scan/project-cache';
import { formatMatch, readProjectFiles, scan } from './scan/scan';
import { projectSources, walkSources } from './scan/source-files';

const ROOT = resolve(__dirname, '../..');
const ALLOW_LIST = join(ROOT, 'tools/no-copy/allow-list.json');
/** Outside node_modules so that `npm ci` keeps it; keyed by the lockfile, so a stale one is never used. */
const CACHE_DIR = join(ROOT, '.cache/no-copy');

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

function runScan(): boolean {
  const started = Date.now();
  const git = new Git(ROOT);
  const listed = git.available() ? git.listFiles() : walkSources(ROOT, ROOT, (name) => name === 'node_modules' || name.startsWith('.'));
  const cache = new ProjectTokenCache(join(CACHE_DIR, 'project.json'));
  const project = readProjectFiles(ROOT, projectSources(listed.filter((f) => existsSync(join(ROOT, f)))), cache);
  const dependencies = loadDependencyIndex(ROOT, CACHE_DIR);
  const references = [{ label: '', index: dependencies.index }, ...loadCorpora(join(ROOT, CORPORA_DIR))];
  const doc = parseOriginsDocument(readFileSync(join(ROOT, ORIGINS_DOCUMENT), 'utf8'));
  const result = scan(project, references, readAllowList(ALLOW_LIST), doc.justifications);
  for (const m of result.allowed) console.log(`allowed: ${formatMatch(m)}`);
  for (const m of result.matches) console.error(`match: ${formatMatch(m)}`);
  for (const [file, share] of result.coverage) console.log(`  ${file}: ${(share * 100).toFixed(0)}% of its tokens in matches`);
  const refs = references.map((r) => `${r.index.name} (${r.index.files.length} files, ${r.index.size} fingerprints)`).join(', ');
  console.log(
    `no-copy scan: ${result.files} project files (${result.tokens} tokens) against ${refs}; dependency index ${dependencies.cached ? 'from cache' : 'built and cached'}; ` +
      `${result.matches.length} unallowed and ${result.allowed.length} allowed matches in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  if (result.matches.length > 0) {
    console.error(`Remove the copied code, or justify it: a "## J<n>." section in ${ORIGINS_DOCUMENT} and an entry in tools/no-copy/allow-list.json.`);
  }
  return result.matches.length === 0;
}

function runIndex(args: string[]): boolean {
  const dir = args[0];
  const name = args[args.indexOf('--name') + 1];
  if (!dir || !args.includes('--name') || !name) {
    console.error('usage: npm run no-copy -- index <dir> --name <repo@commit> [--out <file>]');
    return false;
  }
  const out = args.includes('--out') ? resolve(args[args.indexOf('--out') + 1]) : join(ROOT, CORPORA_DIR, corpusFileName(name));
  const index = buildCorpus(resolve(dir), name);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, index.serialise() + '\n');
  console.log(`index: ${index.files.length} files, ${index.size} fingerprints of ${name} -> ${out}`);
  return true;
}

function main(argv: string[]): number {
  const [command = 'check', ...rest] = argv;
  switch (command) {
    case 'lint-origins':
      return runLintOrigins() ? 0 : 1;
    case 'fill-commits':
      return runFillCommits() ? 0 : 1;
    case 'scan':
      return runScan() ? 0 : 1;
    case 'index':
      return runIndex(rest) ? 0 : 2;
    case 'check': {
      const linted = runLintOrigins();
      return runScan() && linted ? 0 : 1;
    }
    default:
      console.error(`unknown command "${command}"; use lint-origins, fill-commits, scan, index or no command`);
      return 2;
  }
}

process.exitCode = main(process.argv.slice(2));
