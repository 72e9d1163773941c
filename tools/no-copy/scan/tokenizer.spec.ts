import { tokenizeSource } from './source-files';
import { tokenize } from './tokenizer';
import { IDENTIFIER, STRING, tokenCode } from './token-code';
import { winnow } from './winnow';

const codes = (text: string, language: 'js' | 'sql' = 'js') => tokenize(text, language).codes;

describe('tokenize', () => {
  it('normalises identifiers, literals, whitespace and comments away', () => {
    const a = codes('function add(a, b) { return a + b; } // sum\nconst x = "one";');
    const b = codes('/** renamed */\nfunction plus ( left ,right ){\n\treturn left+right\n;}\nconst   y = "two";');
    expect(b.length).toBe(a.length);
    expect(b).toEqual(a);
    expect(a).toEqual(expect.arrayContaining([tokenCode('function'), tokenCode('return'), IDENTIFIER, STRING]));
  });

  it('keeps keywords and operators apart, so different structure gives different tokens', () => {
    expect(codes('a = b === c')).not.toEqual(codes('a = b !== c'));
    expect(codes('if (a) b()')).not.toEqual(codes('while (a) b()'));
  });

  it('drops imports and re-exports, keeps other exported statements', () => {
    const text = "import { a, b } from './x';\nimport type { T } from 'y';\nimport 'side-effect';\nexport * from './z';\nexport { a } from './x';\nexport { b };\nexport const c = 1;";
    expect(codes(text)).toEqual(codes('export const c = 1;'));
    expect(codes('const m = import("x");')).toContain(tokenCode('import'));
  });

  it('tells a regex from a division and reports lines', () => {
    const stream = tokenize('const r = /a\\/b[/]c/g;\nconst q = x / y / z;', 'js');
    expect(stream.codes.filter((c) => c === tokenCode('/'))).toHaveLength(2);
    expect(stream.lines[stream.lines.length - 1]).toBe(2);
  });

  it('lexes SQL in template literals and in $$ bodies, with keywords kept and names normalised', () => {
    const inTemplate = codes('q(`SELECT id FROM events WHERE n = ${n}`)');
    expect(inTemplate).toEqual(expect.arrayContaining([tokenCode('select'), tokenCode('from'), tokenCode('where'), IDENTIFIER]));
    const body = codes('create function f() returns int as $$ begin return 1; end $$ language plpgsql;', 'sql');
    expect(body).toEqual(expect.arrayContaining([tokenCode('begin'), tokenCode('end'), tokenCode('plpgsql')]));
    expect(codes("select 'it''s' -- comment\nfrom t", 'sql')).toEqual(codes("SELECT 'x' FROM u", 'sql'));
  });

  it('resumes template text after a nested ${...} with braces inside', () => {
    const stream = tokenize('const s = `a ${ { k: 1 }.k } b`; const after = 1;', 'js');
    expect(stream.codes.slice(-5)).toEqual(codes('const after = 1;'));
  });
});

describe('winnow', () => {
  it('finds a shared run of K + W - 1 tokens in two otherwise different streams', () => {
    const noise = (seed: number, n: number) => Array.from({ length: n }, (_, i) => ((i * 7919 + seed) * 2654435761) >>> 0);
    const shared = noise(3, 31);
    const left = [...noise(1, 200), ...shared, ...noise(2, 200)];
    const right = [...noise(5, 90), ...shared, ...noise(6, 300)];
    const rightHashes = new Set(winnow(right, 20, 12).map((f) => f.hash));
    expect(winnow(left, 20, 12).some((f) => rightHashes.has(f.hash))).toBe(true);
    const otherHashes = new Set(winnow(noise(9, 500), 20, 12).map((f) => f.hash));
    expect(winnow(left, 20, 12).some((f) => otherHashes.has(f.hash))).toBe(false);
  });

  it('selects fewer fingerprints than k-grams, each position once', () => {
    const stream = Array.from({ length: 1000 }, (_, i) => (i * 2654435761) >>> 0);
    const prints = winnow(stream, 20, 12);
    expect(prints.length).toBeLessThan(981 / 4);
    expect(new Set(prints.map((p) => p.token)).size).toBe(prints.length);
  });
});

describe('TypeScript read without its types', () => {
  const js = 'class Store extends Base {\n  db;\n  constructor(db, size) { super(); this.db = db; this.size = size; }\n  get(id) { const row = this.db.find(id); return row.value; }\n}\nfunction f(a, b = 2) { return g(a) + b; }';
  const typed = [
    'interface Row<T> { value: T; id?: string }',
    'type Id = string;',
    'export declare const VERSION: string;',
    'abstract class Store<T = unknown> extends Base<T> implements Reader, Writer {',
    '  private readonly db!: Db<Row<T>>;',
    '  public constructor(db: Db<Row<T>>, protected size: number) { super(); this.db = db; this.size = size; }',
    '  get(id: Id): T | undefined { const row = this.db.find<Row<T>>(id as Id)!; return row.value satisfies T; }',
    '}',
    'function f(a: number, b: number): number;',
    'function f<T extends number>(a: T, b: number = 2): number { return g<T>(<T>a) + b; }',
  ].join('\n');

  it('gives the same tokens as the JavaScript it compiles to', () => {
    expect(tokenizeSource('store.ts', typed).codes).toEqual(tokenizeSource('store.js', js).codes);
  });

  it('keeps the lines of the TypeScript file', () => {
    const stream = tokenizeSource('store.ts', typed);
    expect(stream.lines[0]).toBe(4);
    expect(stream.lines[stream.lines.length - 1]).toBe(10);
  });
});
