/** The clone scan: project sources against references, matches split into allowed (justified) and not. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AllowList, isAllowed } from '../allowed-matches';
import { findMatches, Match, ProjectFile, Reference } from './matcher';
import { ProjectTokenCache } from './project-cache';
import { contentDigest, tokenizeSource } from './source-files';

export interface ScanResult {
  files: number;
  tokens: number;
  matches: Match[];
  allowed: Match[];
  /** Project file -> share of its tokens inside any match. */
  coverage: Map<string, number>;
}

/** The project's files as token streams; with a cache, unchanged files are not lexed again. */
export function readProjectFiles(root: string, paths: string[], cache?: ProjectTokenCache): ProjectFile[] {
  const files = paths.map((path) => {
    const text = readFileSync(join(root, path), 'utf8');
    const read = () => tokenizeSource(path, text);
    return { path, stream: cache ? cache.get(path, contentDigest(text), read) : read() };
  });
  cache?.save();
  return files;
}

export function scan(project: ProjectFile[], references: Reference[], allowList: AllowList, justifications: Set<string>): ScanResult {
  const all = findMatches(project, references);
  const matches: Match[] = [];
  const allowed: Match[] = [];
  for (const m of all) (isAllowed(allowList, m.file, m.source, justifications) ? allowed : matches).push(m);
  return {
    files: project.length,
    tokens: project.reduce((n, f) => n + f.stream.codes.length, 0),
    matches,
    allowed,
    coverage: coverage(project, all),
  };
}

function coverage(project: ProjectFile[], matches: Match[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const file of project) {
    const mine = matches.filter((m) => m.file === file.path);
    if (mine.length === 0) continue;
    const covered = new Set<number>();
    file.stream.lines.forEach((line, token) => {
      if (mine.some((m) => line >= m.fromLine && line <= m.toLine)) covered.add(token);
    });
    out.set(file.path, covered.size / file.stream.codes.length);
  }
  return out;
}

export function formatMatch(m: Match): string {
  return `${m.file}:${m.fromLine}-${m.toLine} (${m.tokens} tokens, ${(m.share * 100).toFixed(0)}% of the file) ~ ${m.source}:${m.sourceFromLine}-${m.sourceToLine}`;
}
