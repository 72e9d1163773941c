/**
 * Reads docs/FEATURE_ORIGINS.md into entries and justification headings. The format is described at the top of
 * that file; this parser is deliberately strict about it so the lint can name exactly what is missing.
 */

/** Field labels in the order every entry lists them. */
export const ENTRY_FIELDS = [
  'Status',
  'Inspiration',
  'Rationale',
  'Design',
  'API/contracts',
  'Tests',
  'Risk/license',
  'Commits/PRs',
  'No-copy statement',
  'Reviewer sign-off',
] as const;

export type EntryField = (typeof ENTRY_FIELDS)[number];

export interface OriginField {
  label: string;
  value: string;
  line: number;
}

export interface OriginEntry {
  number: number;
  name: string;
  line: number;
  fields: OriginField[];
}

export interface OriginsDocument {
  entries: OriginEntry[];
  /** Anchors (GitHub slugs) of the `## J<n>. <title>` headings under "# No-copy justifications". */
  justifications: Set<string>;
  /** Problems with the document's shape itself (a heading that is not `## <n>. <name>`, ...). */
  problems: string[];
}

const ENTRY_HEADING = /^## (\d+)\. (\S.*)$/;
const FIELD_LINE = /^- ([A-Za-z][A-Za-z/ -]*?):(.*)$/;

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
export function headingSlug(title: string): string {
  return title
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

export function parseOriginsDocument(text: string): OriginsDocument {
  const lines = text.split('\n');
  const entries: OriginEntry[] = [];
  const justifications = new Set<string>();
  const problems: string[] = [];
  let section: 'preamble' | 'entries' | 'justifications' | 'other' = 'preamble';
  let entry: OriginEntry | undefined;
  let field: OriginField | undefined;
  let fence = false;

  lines.forEach((raw, index) => {
    const line = raw.replace(/\r$/, '');
    const lineNo = index + 1;
    if (line.startsWith('```')) fence = !fence;
    if (fence || line.startsWith('```')) return;
    if (/^# /.test(line)) {
      entry = undefined;
      field = undefined;
      const title = line.slice(2).trim().toLowerCase();
      section = title === 'entries' ? 'entries' : title === 'no-copy justifications' ? 'justifications' : 'other';
      return;
    }
    if (section === 'justifications' && line.startsWith('## ')) {
      const title = line.slice(3);
      if (!/^J\d+\. \S/.test(title)) problems.push(`line ${lineNo}: a justification heading reads "## J<n>. <title>"`);
      justifications.add(headingSlug(title));
      return;
    }
    if (section !== 'entries') return;
    if (line.startsWith('## ')) {
      field = undefined;
      const m = ENTRY_HEADING.exec(line);
      if (!m) {
        problems.push(`line ${lineNo}: an entry heading reads "## <number>. <name>", got "${line}"`);
        entry = undefined;
        return;
      }
      entry = { number: Number(m[1]), name: m[2].trim(), line: lineNo, fields: [] };
      entries.push(entry);
      return;
    }
    if (!entry) return;
    const m = FIELD_LINE.exec(line);
    if (m) {
      field = { label: m[1], value: m[2].trim(), line: lineNo };
      entry.fields.push(field);
    } else if (field && /^\s+\S/.test(line)) {
      field.value = `${field.value}\n${line.trim()}`.trim();
    } else if (line.trim() !== '') {
      problems.push(`line ${lineNo}: text outside a field in entry ${entry.number} ("${line.slice(0, 40)}")`);
    }
  });
  return { entries, justifications, problems };
}

/** The value of a field, or undefined when the entry lacks it. */
export function fieldValue(entry: OriginEntry, label: EntryField): string | undefined {
  return entry.fields.find((f) => f.label === label)?.value;
}
