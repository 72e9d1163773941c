import { Git } from '../git';
import { OriginEntry } from './origins-document';

/** The trailer key commits use to name the FEATURE_ORIGINS entry they implement. */
export const TRAILER_KEY = 'Feature-Origin';

export interface TrailerCommit {
  hash: string;
  value: string;
}

/** Every `Feature-Origin:` trailer in the history of HEAD (a commit with two trailers yields two rows). */
export function readTrailers(git: Git): TrailerCommit[] {
  const out = git.run(['log', `--format=%h%x1f%(trailers:key=${TRAILER_KEY},valueonly,separator=%x1d)%x1e`]);
  const rows: TrailerCommit[] = [];
  for (const record of out.split('\x1e')) {
    const [hash, values] = record.trim().split('\x1f');
    if (!hash || !values) continue;
    for (const value of values.split('\x1d')) if (value.trim()) rows.push({ hash, value: value.trim() });
  }
  return rows;
}

/** A trailer names an entry by `<n>`, `<n>. <name>` or `<name>` (case-insensitive). */
export function resolveTrailer(value: string, entries: OriginEntry[]): OriginEntry | undefined {
  const v = value.trim().toLowerCase();
  const numbered = /^(\d+)\.?(?:\s+(.*))?$/.exec(v);
  if (numbered) {
    const entry = entries.find((e) => e.number === Number(numbered[1]));
    if (entry && (!numbered[2] || entry.name.toLowerCase() === numbered[2].trim())) return entry;
    return undefined;
  }
  return entries.find((e) => e.name.toLowerCase() === v);
}
