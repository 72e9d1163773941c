import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCorpus } from './corpus';
import { FingerprintIndex } from './fingerprint-index';
import { ProjectFile, Reference } from './matcher';
import { scan } from './scan';
import { tokenizeSource } from './source-files';
import { tokenize } from './tokenizer';

const ROOT = join(__dirname, '../../..');
const FIXTURES = join(__dirname, '../fixtures');
const MS = 'node_modules/ms/index.js';
const msSource = readFileSync(join(ROOT, MS), 'utf8');

/** The text of `function <name>(...) {...}` in `source`, found by brace depth from the body's opening brace (enough for these two files). */
function extractFunction(source: string, name: string): string {
  const start = source.indexOf(`function ${name}(`);
  if (start < 0) throw new Error(`no function ${name}`);
  let depth = 0;
  for (let i = source.indexOf(') {', start) + 2; i < source.length; i++) {
    if (source[i] === '{') depth++;
    else if (source[i] === '}' && --depth === 0) return source.slice(start, i + 1);
  }
  throw new Error('unbalanced');
}

const lineOf = (source: string, text: string) => source.slice(0, source.indexOf(text)).split('\n').length;

function projectFile(path: string, body: string): ProjectFile {
  const own = [
    "import { Injectable } from '@nestjs/common';",
    'export const LIMIT = 10;',
    '',
    body,
    '',
    'export function describeLimit(): string {',
    '  return `limit is ${LIMIT}`;',
    '}',
  ].join('\n');
  return { path, stream: tokenize(own, 'js') };
}

function dependencies(): Reference[] {
  const index = new FingerprintIndex('node_modules');
  index.add(MS, tokenize(msSource, 'js'));
  return [{ label: '', index }];
}

const noAllowList = { allowed: [] };
const msParse = extractFunction(msSource, 'parse');

describe('no-copy scan against dependencies', () => {
  it('finds a function copied verbatim from node_modules, with both locations and its share of the file', () => {
    const file = projectFile('libs/example/src/durations.ts', msParse);
    const result = scan([file], dependencies(), noAllowList, new Set());
    expect(result.matches).toHaveLength(1);
    const [m] = result.matches;
    expect(m).toMatchObject({ file: 'libs/example/src/durations.ts', source: MS });
    expect(m.fromLine).toBeGreaterThanOrEqual(4);
    expect(m.toLine).toBeLessThanOrEqual(4 + msParse.split('\n').length);
    expect(m.toLine - m.fromLine).toBeGreaterThan(30);
    const parseLine = lineOf(msSource, 'function parse(');
    expect(m.sourceFromLine).toBeGreaterThanOrEqual(parseLine);
    expect(m.sourceToLine).toBeLessThanOrEqual(parseLine + msParse.split('\n').length);
    expect(m.share).toBeGreaterThan(0.6);
    expect(result.coverage.get('libs/example/src/durations.ts')).toBeGreaterThan(0.6);
  });

  it('still finds it with every identifier renamed and the whitespace reformatted', () => {
    const disguised = msParse
      .replace(/\bparse\b/g, 'toMilliseconds')
      .replace(/\bstr\b/g, 'input')
      .replace(/\bmatch\b/g, 'groups')
      .replace(/\bn\b/g, 'amount')
      .replace(/\btype\b/g, 'unit')
      .replace(/\s+/g, ' ')
      .replace(/([{;:]) /g, '$1\n      ');
    expect(disguised).not.toContain('str');
    const result = scan([projectFile('libs/example/src/durations.ts', disguised)], dependencies(), noAllowList, new Set());
    expect(result.matches.map((m) => m.source)).toEqual([MS]);
  });

  it('still finds it when the copy was given TypeScript types', () => {
    const typed = msParse
      .replace('function parse(str) {', 'function parse(str: string | number): number | undefined {')
      .replace('var match =', 'var match: RegExpExecArray | null =')
      .replace('var n = parseFloat(match[1]);', 'var n: number = parseFloat(match![1] as string);')
      .replace("var type = (match[2] || 'ms')", "var type: string = (match![2] || 'ms')");
    expect(typed).toContain('match![1] as string');
    const file = { path: 'libs/example/src/durations.ts', stream: tokenizeSource('libs/example/src/durations.ts', typed) };
    const result = scan([file], dependencies(), noAllowList, new Set());
    expect(result.matches.map((m) => m.source)).toEqual([MS]);
    expect(result.matches[0].share).toBeGreaterThan(0.95);
  });

  it('does not flag code written independently for the same task', () => {
    const independent = readFileSync(join(FIXTURES, 'independent/parse-duration.ts'), 'utf8');
    const result = scan([{ path: 'libs/example/src/parse-duration.ts', stream: tokenizeSource('libs/example/src/parse-duration.ts', independent) }], dependencies(), noAllowList, new Set());
    expect(result.matches).toEqual([]);
  });

  it('ignores what every file shares: the same imports and short statements', () => {
    const imports = Array.from({ length: 30 }, (_, i) => `import { thing${i}, other${i} } from './module-${i}';`).join('\n');
    const shortStatements = "'use strict';\nObject.defineProperty(exports, '__esModule', { value: true });\nmodule.exports = { a, b };\n";
    const index = new FingerprintIndex('node_modules');
    index.add('node_modules/lib/index.js', tokenize(`${imports}\n${shortStatements}\nfunction unrelated(x) { return x * 2; }`, 'js'));
    const mine = { path: 'libs/example/src/mine.ts', stream: tokenize(`${imports}\n${shortStatements}\nexport const answer = compute(41) + 1;`, 'js') };
    expect(scan([mine], [{ label: '', index }], noAllowList, new Set()).matches).toEqual([]);
  });
});

describe('no-copy scan against a corpus built with index', () => {
  const corpusName = 'example/upstream@1111111';
  const corpus = () => FingerprintIndex.parse(buildCorpus(join(FIXTURES, 'upstream-repo'), corpusName).serialise(), 'spec');

  it('finds a planted copy and names the corpus file', () => {
    const retry = extractFunction(readFileSync(join(FIXTURES, 'upstream-repo/src/retry.js'), 'utf8'), 'retryWithBackoff').replace(/lastError/g, 'failure');
    const result = scan([projectFile('libs/example/src/retry.ts', retry)], [{ label: `corpus:${corpusName}/`, index: corpus() }], noAllowList, new Set());
    expect(result.matches.map((m) => m.source)).toEqual([`corpus:${corpusName}/src/retry.js`]);
    expect(result.matches[0].sourceFromLine).toBe(2);
  });

  it('stores hashes and paths, no source text', () => {
    const text = buildCorpus(join(FIXTURES, 'upstream-repo'), corpusName).serialise();
    expect(JSON.parse(text).files).toEqual(['src/retry.js', 'src/ring-buffer.ts']);
    for (const word of ['retryWithBackoff', 'lastError', 'setTimeout', 'RingBuffer', 'evicted', 'capacity']) expect(text).not.toContain(word);
  });

  it('refuses a corpus built with other parameters', () => {
    const text = JSON.parse(buildCorpus(join(FIXTURES, 'upstream-repo'), corpusName).serialise());
    expect(() => FingerprintIndex.parse(JSON.stringify({ ...text, k: 5 }), 'old.json')).toThrow(/rebuild it/);
  });
});

describe('allow-list', () => {
  const file = projectFile('libs/example/src/durations.ts', msParse);
  const allowList = { allowed: [{ file: 'libs/example/src/durations.ts', source: 'node_modules/ms/', justification: 'docs/FEATURE_ORIGINS.md#j1-duration-parser-from-ms' }] };

  it('passes a listed match only while its justification section exists', () => {
    const justified = scan([file], dependencies(), allowList, new Set(['j1-duration-parser-from-ms']));
    expect(justified.matches).toEqual([]);
    expect(justified.allowed.map((m) => m.source)).toEqual([MS]);
    const unjustified = scan([file], dependencies(), allowList, new Set(['j2-something-else']));
    expect(unjustified.matches.map((m) => m.source)).toEqual([MS]);
    expect(unjustified.allowed).toEqual([]);
  });

  it('does not pass the same copy in another file', () => {
    const other = { ...file, path: 'libs/example/src/elsewhere.ts' };
    expect(scan([other], dependencies(), allowList, new Set(['j1-duration-parser-from-ms'])).matches).toHaveLength(1);
  });
});
