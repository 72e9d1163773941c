import { fillCommits } from './fill-commits';
import { LintEnvironment, lintOrigins } from './lint-origins';
import { parseOriginsDocument } from './origins-document';
import { resolveTrailer } from './commit-trailers';

function entry(number: number, name: string, fields: Partial<Record<string, string>> = {}): string {
  const values: Record<string, string> = {
    Status: 'implemented',
    Inspiration: 'https://github.com/example/upstream',
    Rationale: 'why',
    Design: 'how\n  continued on an indented line',
    'API/contracts': '`GET /things`',
    Tests: '`libs/a/src/a.spec.ts`',
    'Risk/license': 'MIT, ideas only',
    'Commits/PRs': 'abc1234',
    'No-copy statement': 'No code was copied.',
    'Reviewer sign-off': 'reviewer, 2026-12-01',
    ...fields,
  };
  const lines = Object.entries(values)
    .filter(([, v]) => v !== undefined && v !== '<absent>')
    .map(([k, v]) => `- ${k}: ${v}`);
  return [`## ${number}. ${name}`, ...lines, ''].join('\n');
}

function document(...entries: string[]): string {
  return ['# Feature origins', '', '```markdown', '## 0. not an entry (inside a fence)', '```', '', '# Entries', '', ...entries, '# No-copy justifications', '', '## J1. Published test vectors', 'text', ''].join('\n');
}

function env(overrides: Partial<LintEnvironment> = {}): LintEnvironment {
  return {
    fileExists: (p) => p === 'libs/a/src/a.spec.ts',
    existingCommits: (hashes) => new Set(hashes.filter((h) => h === 'abc1234' || h === 'def5678')),
    trailers: [],
    allowListAnchors: [],
    ...overrides,
  };
}

const lint = (text: string, e = env()) => lintOrigins(parseOriginsDocument(text), e);

describe('lintOrigins', () => {
  it('accepts complete entries, including a planned one without tests or commits', () => {
    const result = lint(document(entry(1, 'Things'), entry(2, 'Later', { Status: 'planned', Tests: 'none yet', 'Commits/PRs': 'none yet' })));
    expect(result).toEqual({ errors: [], warnings: [] });
  });

  it('names a missing, an empty and an unknown field', () => {
    const result = lint(document(entry(1, 'Things', { Rationale: '<absent>', Design: '', Colour: 'blue' })));
    expect(result.errors).toEqual(
      expect.arrayContaining([
        expect.stringContaining('field "Rationale" is missing'),
        expect.stringContaining('field "Design" is empty'),
        expect.stringContaining('unknown field "Colour"'),
      ]),
    );
  });

  it('rejects a test file that does not exist and an entry without any test file', () => {
    expect(lint(document(entry(1, 'Things', { Tests: '`libs/a/src/gone.spec.ts`' }))).errors).toEqual([
      expect.stringContaining('`libs/a/src/gone.spec.ts` does not exist'),
      expect.stringContaining('names at least one existing test file'),
    ]);
  });

  it('rejects a commit hash git does not know, and one that is not a hash', () => {
    const result = lint(document(entry(1, 'Things', { 'Commits/PRs': 'abc1234, 1234567, main' })));
    expect(result.errors).toEqual([
      expect.stringContaining('"main" in Commits/PRs is not a short commit hash'),
      expect.stringContaining('commit 1234567 does not exist'),
    ]);
  });

  it('only warns about unknown hashes in a shallow clone, and skips them without git', () => {
    const text = document(entry(1, 'Things', { 'Commits/PRs': '1234567' }));
    expect(lint(text, env({ shallow: true })).errors).toEqual([]);
    expect(lint(text, env({ existingCommits: undefined })).warnings).toEqual([expect.stringContaining('not checked')]);
  });

  it('requires commits and a known status for built entries', () => {
    const result = lint(document(entry(1, 'Things', { Status: 'done', 'Commits/PRs': 'none yet' }), entry(2, 'Other', { 'Commits/PRs': 'none yet' })));
    expect(result.errors).toEqual([expect.stringContaining('Status must be one of'), expect.stringContaining('an entry marked implemented lists its commits')]);
  });

  it('rejects duplicate numbers, fields out of order and malformed headings', () => {
    const swapped = entry(1, 'Things').replace('- Rationale: why\n', '').replace('- Status', '- Rationale: why\n- Status');
    const result = lint(document(swapped, entry(1, 'Again'), '## Not numbered\n'));
    expect(result.errors).toEqual(
      expect.arrayContaining([
        expect.stringContaining('an entry heading reads'),
        expect.stringContaining('not in the template\'s order'),
        expect.stringContaining('number 1 is used twice'),
      ]),
    );
  });

  it('fails an allow-list reference whose justification section is absent', () => {
    expect(lint(document(entry(1, 'Things')), env({ allowListAnchors: ['j1-published-test-vectors'] })).errors).toEqual([]);
    expect(lint(document(entry(1, 'Things')), env({ allowListAnchors: ['j2-gone'] })).errors).toEqual([expect.stringContaining('"#j2-gone"')]);
  });

  it('warns about trailers naming no entry or not yet listed', () => {
    const result = lint(document(entry(1, 'Things')), env({ trailers: [{ hash: 'abc1234', value: 'Things' }, { hash: 'def5678', value: '1' }, { hash: 'aaaaaaa', value: 'Nothing' }] }));
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([expect.stringContaining('def5678'), expect.stringContaining('"Nothing" names no entry')]);
  });
});

describe('Feature-Origin trailers', () => {
  const doc = parseOriginsDocument(document(entry(5, 'Realtime'), entry(7, 'Audit log and admin history', { Status: 'planned', Tests: 'none yet', 'Commits/PRs': 'none yet' })));

  it('resolve by number, number and name, or name', () => {
    expect(resolveTrailer('5', doc.entries)?.number).toBe(5);
    expect(resolveTrailer('5. realtime', doc.entries)?.number).toBe(5);
    expect(resolveTrailer('Audit log and admin history', doc.entries)?.number).toBe(7);
    expect(resolveTrailer('5. Audit log', doc.entries)).toBeUndefined();
    expect(resolveTrailer('9', doc.entries)).toBeUndefined();
  });

  it('fill-commits adds unlisted hashes oldest first, replaces "none yet", and keeps the document linting', () => {
    const text = document(entry(5, 'Realtime'), entry(7, 'Audit log and admin history', { Status: 'planned', Tests: 'none yet', 'Commits/PRs': 'none yet' }));
    const trailers = [
      { hash: 'fff0003', value: '7' },
      { hash: 'fff0002', value: 'Realtime' },
      { hash: 'abc1234', value: '5' },
      { hash: 'fff0001', value: '5. Realtime' },
    ];
    const { text: next, added } = fillCommits(text, parseOriginsDocument(text), trailers);
    expect(added).toEqual(['5. Realtime: fff0001', '5. Realtime: fff0002', '7. Audit log and admin history: fff0003']);
    expect(next).toContain('- Commits/PRs: abc1234, fff0001, fff0002\n');
    expect(next).toContain('- Commits/PRs: fff0003\n');
    const again = fillCommits(next, parseOriginsDocument(next), trailers);
    expect(again.added).toEqual([]);
    expect(lintOrigins(parseOriginsDocument(next), env({ existingCommits: (h) => new Set(h) })).errors).toEqual([]);
  });
});
