import { existsSync, readFileSync } from 'node:fs';

/** The document every justification lives in; allow-list entries point into it by anchor. */
export const ORIGINS_DOCUMENT = 'docs/FEATURE_ORIGINS.md';

/**
 * One reported match that may stay. `file` is the project file (exact path); `source` is the matched reference:
 * an exact location or a prefix ending in `/` (`node_modules/pkg/`, `corpus:owner/repo@commit/`).
 */
export interface AllowedMatch {
  file: string;
  source: string;
  justification: string;
}

export interface AllowList {
  allowed: AllowedMatch[];
}

export function readAllowList(path: string): AllowList {
  if (!existsSync(path)) return { allowed: [] };
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<AllowList>;
  const allowed = parsed.allowed ?? [];
  for (const [i, a] of allowed.entries()) {
    if (typeof a.file !== 'string' || typeof a.source !== 'string' || typeof a.justification !== 'string') {
      throw new Error(`${path}: allowed[${i}] needs string fields file, source and justification`);
    }
  }
  return { allowed };
}

/** The anchor of `docs/FEATURE_ORIGINS.md#anchor`, or undefined when the reference points elsewhere. */
export function justificationAnchor(reference: string): string | undefined {
  const [doc, anchor] = reference.split('#');
  return doc === ORIGINS_DOCUMENT && anchor ? anchor : undefined;
}

export function allowListAnchors(list: AllowList): string[] {
  // A reference to another document yields an anchor that cannot exist, so the lint reports it.
  return list.allowed.map((a) => justificationAnchor(a.justification) ?? `(not in ${ORIGINS_DOCUMENT}: ${a.justification})`);
}

export function isAllowed(list: AllowList, file: string, source: string, justifications: Set<string>): AllowedMatch | undefined {
  return list.allowed.find((a) => {
    const anchor = justificationAnchor(a.justification);
    const sourceMatches = a.source.endsWith('/') ? source.startsWith(a.source) : source === a.source;
    return a.file === file && sourceMatches && anchor !== undefined && justifications.has(anchor);
  });
}
