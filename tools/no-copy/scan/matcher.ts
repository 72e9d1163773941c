/**
 * Finds the regions of project files that share fingerprints, in order, with a file of a reference index, and
 * turns them into reported matches (both locations and the share of the project file they cover).
 */
import { FingerprintIndex } from './fingerprint-index';
import { COMMON_FINGERPRINT_FILES, K, MAX_CHAIN_DRIFT, MIN_DISTINCT_TOKENS, MAX_CHAIN_GAP, MIN_MATCH_FINGERPRINTS, MIN_MATCH_TOKENS, W } from './thresholds';
import { TokenStream } from './tokenizer';
import { winnow } from './winnow';

export interface ProjectFile {
  path: string;
  stream: TokenStream;
}

/** A reference index and the prefix its file paths are reported under (`''`, `corpus:owner/repo@commit/`). */
export interface Reference {
  label: string;
  index: FingerprintIndex;
}

export interface Match {
  file: string;
  fromLine: number;
  toLine: number;
  /** Tokens of the project file inside the match. */
  tokens: number;
  /** Share of the project file's tokens inside this match (0..1). */
  share: number;
  source: string;
  sourceFromLine: number;
  sourceToLine: number;
}

interface Hit {
  p: number;
  r: number;
  rFirstLine: number;
  rLastLine: number;
}

export function findMatches(project: ProjectFile[], references: Reference[]): Match[] {
  const occurrences = new Map<number, number[]>(); // hash -> [file, token, file, token, ...]
  project.forEach((f, fileNo) => {
    for (const print of winnow(f.stream.codes, K, W, MIN_DISTINCT_TOKENS)) {
      const list = occurrences.get(print.hash);
      if (list) list.push(fileNo, print.token);
      else occurrences.set(print.hash, [fileNo, print.token]);
    }
  });

  // One pass over every reference: collect hits, and count in how many reference files each hash occurs.
  const spread = new Map<number, number>();
  const lastFile = new Map<number, string>();
  const groups = new Map<string, { fileNo: number; source: string; hashes: number[]; hits: Hit[] }>();
  for (const { label, index } of references) {
    for (let i = 0; i < index.size; i++) {
      const hash = index.hash(i);
      const list = occurrences.get(hash);
      if (!list) continue;
      const refFile = index.file(i);
      const refKey = `${label}\0${refFile}`;
      if (lastFile.get(hash) !== refKey) {
        lastFile.set(hash, refKey);
        spread.set(hash, (spread.get(hash) ?? 0) + 1);
      }
      for (let j = 0; j < list.length; j += 2) {
        const key = `${list[j]}\0${refKey}`;
        let group = groups.get(key);
        if (!group) {
          group = { fileNo: list[j], source: label + index.files[refFile], hashes: [], hits: [] };
          groups.set(key, group);
        }
        group.hashes.push(hash);
        group.hits.push({ p: list[j + 1], r: index.token(i), rFirstLine: index.firstLine(i), rLastLine: index.lastLine(i) });
      }
    }
  }

  const matches: Match[] = [];
  for (const group of groups.values()) {
    const hits = group.hits.filter((_, n) => (spread.get(group.hashes[n]) ?? 0) <= COMMON_FINGERPRINT_FILES);
    if (hits.length < MIN_MATCH_FINGERPRINTS) continue;
    const file = project[group.fileNo];
    for (const chain of distinctChains(chains(hits))) {
      const first = chain[0];
      const last = chain[chain.length - 1];
      const tokens = last.p + K - first.p;
      matches.push({
        file: file.path,
        fromLine: file.stream.lines[first.p],
        toLine: file.stream.lines[last.p + K - 1],
        tokens,
        share: tokens / file.stream.codes.length,
        source: group.source,
        sourceFromLine: Math.min(...chain.map((h) => h.rFirstLine)),
        sourceToLine: Math.max(...chain.map((h) => h.rLastLine)),
      });
    }
  }
  return matches.sort((a, b) => a.file.localeCompare(b.file) || a.fromLine - b.fromLine || a.source.localeCompare(b.source));
}

/**
 * Long enough chains, longest first, without those lying mostly inside a longer one: repeated code (a run of
 * `case` labels) pairs each repetition with every other and would report one copy many times.
 */
function distinctChains(all: Hit[][]): Hit[][] {
  const extent = (c: Hit[]) => c[c.length - 1].p + K - c[0].p;
  const long = all.filter((c) => c.length >= MIN_MATCH_FINGERPRINTS && extent(c) >= MIN_MATCH_TOKENS).sort((a, b) => extent(b) - extent(a));
  const kept: Hit[][] = [];
  for (const chain of long) {
    const from = chain[0].p;
    const to = chain[chain.length - 1].p + K;
    const inside = kept.some((k) => Math.min(to, k[k.length - 1].p + K) - Math.max(from, k[0].p) > (to - from) / 2);
    if (!inside) kept.push(chain);
  }
  return kept;
}

/** Groups hits into runs that advance in both files with a bounded gap and a bounded shift of their offset. */
function chains(hits: Hit[]): Hit[][] {
  const sorted = [...hits].sort((a, b) => a.p - b.p || a.r - b.r);
  const open: Hit[][] = [];
  for (const hit of sorted) {
    let best: Hit[] | undefined;
    let bestDrift = Infinity;
    for (const chain of open) {
      const tail = chain[chain.length - 1];
      const gap = hit.p - tail.p;
      if (gap <= 0 || gap > MAX_CHAIN_GAP || hit.r <= tail.r) continue;
      const drift = Math.abs(hit.r - hit.p - (tail.r - tail.p));
      if (drift <= MAX_CHAIN_DRIFT && drift < bestDrift) {
        best = chain;
        bestDrift = drift;
      }
    }
    if (best) best.push(hit);
    else open.push([hit]);
  }
  return open;
}
