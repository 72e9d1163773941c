import { fieldValue, OriginsDocument } from './origins-document';
import { resolveTrailer, TrailerCommit } from './commit-trailers';

const WIDTH = 118;

/**
 * Adds the hash of every trailer commit to its entry's Commits/PRs field (replacing "none yet"), oldest first.
 * Returns the new document text and what was added; text is unchanged when every trailer is already listed.
 */
export function fillCommits(text: string, doc: OriginsDocument, trailers: TrailerCommit[]): { text: string; added: string[] } {
  const additions = new Map<number, string[]>();
  const added: string[] = [];
  for (const trailer of [...trailers].reverse()) {
    const entry = resolveTrailer(trailer.value, doc.entries);
    if (!entry) continue;
    const listed = listedHashes(fieldValue(entry, 'Commits/PRs') ?? '');
    const pending = additions.get(entry.line) ?? [];
    const known = [...listed, ...pending].some((h) => h.startsWith(trailer.hash) || trailer.hash.startsWith(h));
    if (known) continue;
    additions.set(entry.line, [...pending, trailer.hash]);
    added.push(`${entry.number}. ${entry.name}: ${trailer.hash}`);
  }
  if (added.length === 0) return { text, added };

  const lines = text.split('\n');
  // Rewrite from the bottom so earlier line numbers stay valid.
  const edits = doc.entries
    .filter((e) => additions.has(e.line))
    .map((e) => ({ entry: e, field: e.fields.find((f) => f.label === 'Commits/PRs') }))
    .filter((x) => x.field)
    .sort((a, b) => b.field!.line - a.field!.line);
  for (const { entry, field } of edits) {
    const start = field!.line - 1;
    let end = start + 1;
    while (end < lines.length && /^\s+\S/.test(lines[end])) end++;
    const hashes = [...listedHashes(field!.value), ...additions.get(entry.line)!];
    lines.splice(start, end - start, ...wrap(`- Commits/PRs: ${hashes.join(', ')}`));
  }
  return { text: lines.join('\n'), added };
}

function listedHashes(value: string): string[] {
  return value.split(/[\s,]+/).filter((t) => /^[0-9a-f]{7,40}$/.test(t));
}

function wrap(line: string): string[] {
  const out: string[] = [];
  let current = '';
  for (const word of line.split(' ')) {
    const next = current ? `${current} ${word}` : word;
    if (next.length > WIDTH && current) {
      out.push(current);
      current = `  ${word}`;
    } else current = next;
  }
  out.push(current);
  return out;
}
