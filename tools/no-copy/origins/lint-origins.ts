import { ENTRY_FIELDS, fieldValue, OriginsDocument } from './origins-document';
import { resolveTrailer, TrailerCommit } from './commit-trailers';

export const STATUSES = ['implemented', 'partial', 'planned'] as const;

/** What the lint needs from the outside world, injected so the spec can run without a repository. */
export interface LintEnvironment {
  fileExists(path: string): boolean;
  /** Undefined when there is no usable git history: commit checks are then skipped with a warning. */
  existingCommits?(hashes: string[]): Set<string>;
  /** True in a shallow clone: unresolved hashes are warnings there, since old commits are simply absent. */
  shallow?: boolean;
  trailers: TrailerCommit[];
  /** Justification anchors referenced by the allow-list (`docs/FEATURE_ORIGINS.md#<anchor>`). */
  allowListAnchors: string[];
}

export interface LintResult {
  errors: string[];
  warnings: string[];
}

const NONE_YET = /^none yet\b/i;
const HASH = /^[0-9a-f]{7,40}$/;
/** A backticked repository path of a file we can check (test, benchmark or any source file). */
const PATH_IN_TICKS = /`([A-Za-z0-9_.@-]+(?:\/[A-Za-z0-9_.@-]+)+\.(?:ts|js|mjs|cjs|sql))`/g;
const TEST_FILE = /\.(spec|int-spec|e2e-spec)\.ts$/;

export function lintOrigins(doc: OriginsDocument, env: LintEnvironment): LintResult {
  const errors = [...doc.problems];
  const warnings: string[] = [];
  const commitsToCheck = new Map<string, string[]>();

  if (doc.entries.length === 0) errors.push('no entries found under "# Entries"');
  const seenNumbers = new Set<number>();
  const seenNames = new Set<string>();
  for (const entry of doc.entries) {
    const where = `entry ${entry.number}. ${entry.name} (line ${entry.line})`;
    if (seenNumbers.has(entry.number)) errors.push(`${where}: number ${entry.number} is used twice`);
    if (seenNames.has(entry.name.toLowerCase())) errors.push(`${where}: name is used twice`);
    seenNumbers.add(entry.number);
    seenNames.add(entry.name.toLowerCase());

    const labels = entry.fields.map((f) => f.label);
    for (const label of labels) if (!(ENTRY_FIELDS as readonly string[]).includes(label)) errors.push(`${where}: unknown field "${label}"`);
    for (const label of ENTRY_FIELDS) {
      const count = labels.filter((l) => l === label).length;
      if (count === 0) errors.push(`${where}: field "${label}" is missing`);
      else if (count > 1) errors.push(`${where}: field "${label}" appears ${count} times`);
      else if (!fieldValue(entry, label)) errors.push(`${where}: field "${label}" is empty`);
    }
    const known = labels.filter((l) => (ENTRY_FIELDS as readonly string[]).includes(l));
    const expectedOrder = ENTRY_FIELDS.filter((f) => known.includes(f));
    if (known.join('|') !== expectedOrder.join('|')) errors.push(`${where}: fields are not in the template's order`);

    const status = fieldValue(entry, 'Status')?.trim();
    if (status && !(STATUSES as readonly string[]).includes(status)) errors.push(`${where}: Status must be one of ${STATUSES.join(', ')}`);
    const built = status === 'implemented' || status === 'partial';

    const inspiration = fieldValue(entry, 'Inspiration');
    if (inspiration && !/https?:\/\/\S+/.test(inspiration)) errors.push(`${where}: Inspiration names no URL`);

    const tests = fieldValue(entry, 'Tests');
    if (tests) {
      const paths = [...tests.matchAll(PATH_IN_TICKS)].map((m) => m[1]);
      for (const p of paths) if (!env.fileExists(p)) errors.push(`${where}: test file \`${p}\` does not exist`);
      if (built && !paths.some((p) => TEST_FILE.test(p) && env.fileExists(p))) errors.push(`${where}: an entry marked ${status} names at least one existing test file`);
      if (!built && paths.length === 0 && !NONE_YET.test(tests)) errors.push(`${where}: Tests names files or says "none yet"`);
    }

    const commits = fieldValue(entry, 'Commits/PRs');
    if (commits) {
      if (NONE_YET.test(commits)) {
        if (built) errors.push(`${where}: an entry marked ${status} lists its commits`);
      } else {
        for (const token of commits.split(/[\s,]+/).filter(Boolean)) {
          if (!HASH.test(token)) errors.push(`${where}: "${token}" in Commits/PRs is not a short commit hash`);
          else commitsToCheck.set(token, [...(commitsToCheck.get(token) ?? []), where]);
        }
      }
    }
  }

  checkCommits(commitsToCheck, env, errors, warnings);
  checkTrailers(doc, env, warnings);
  for (const anchor of env.allowListAnchors) {
    if (!doc.justifications.has(anchor)) errors.push(`allow-list: justification "#${anchor}" is not a "## J<n>. <title>" section under "# No-copy justifications"`);
  }
  return { errors, warnings };
}

function checkCommits(commits: Map<string, string[]>, env: LintEnvironment, errors: string[], warnings: string[]): void {
  if (commits.size === 0) return;
  if (!env.existingCommits) {
    warnings.push('no git history here: commit hashes were not checked');
    return;
  }
  const existing = env.existingCommits([...commits.keys()]);
  for (const [hash, wheres] of commits) {
    if (existing.has(hash)) continue;
    const message = `${wheres.join(', ')}: commit ${hash} does not exist`;
    if (env.shallow) warnings.push(`${message} (shallow clone, not checked)`);
    else errors.push(message);
  }
}

function checkTrailers(doc: OriginsDocument, env: LintEnvironment, warnings: string[]): void {
  for (const trailer of env.trailers) {
    const entry = resolveTrailer(trailer.value, doc.entries);
    if (!entry) {
      warnings.push(`commit ${trailer.hash}: Feature-Origin "${trailer.value}" names no entry`);
      continue;
    }
    const listed = (fieldValue(entry, 'Commits/PRs') ?? '').split(/[\s,]+/);
    if (!listed.some((h) => h.length >= 7 && (h.startsWith(trailer.hash) || trailer.hash.startsWith(h)))) {
      warnings.push(`commit ${trailer.hash} (Feature-Origin: ${trailer.value}) is not listed in entry ${entry.number}; run \`npm run no-copy -- fill-commits\``);
    }
  }
}
