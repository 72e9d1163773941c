/**
 * Lexes JavaScript/TypeScript or SQL into normalised token codes with their line numbers. Whitespace and comments
 * are dropped; identifiers, strings, numbers, regexes become placeholders; keywords and punctuation stay. SQL inside
 * template literals and inside `$$` bodies is lexed as SQL, so migrations' statements are compared too.
 */
import { JS_KEYWORDS, SQL_KEYWORDS } from './keywords';
import { IDENTIFIER, NUMBER, REGEX, STRING, TEMPLATE, tokenCode } from './token-code';
import { Range } from './type-erasure';

export type Language = 'js' | 'sql';

export interface TokenStream {
  codes: number[];
  lines: number[];
}

const PUNCT_4 = new Set(['>>>=']);
const PUNCT_3 = new Set(['...', '===', '!==', '**=', '<<=', '>>=', '>>>', '&&=', '||=', '??=']);
const PUNCT_2 = new Set(['=>', '==', '!=', '<=', '>=', '&&', '||', '??', '?.', '++', '--', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '**', '<<', '>>']);
const SQL_PUNCT_2 = new Set(['::', '<=', '>=', '<>', '!=', '||', '->', '=>']);
/** After these words a `/` starts a regex, not a division. */
const BEFORE_EXPRESSION = new Set(['return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await']);

const isDigit = (c: number) => c >= 48 && c <= 57;
const isIdStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36 || c > 127;
const isIdPart = (c: number) => isIdStart(c) || isDigit(c);
const isSqlIdStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c > 127;

/** Collects tokens, leaving out those that start inside one of the (sorted, disjoint) skipped ranges. */
class Sink implements TokenStream {
  readonly codes: number[] = [];
  readonly lines: number[] = [];
  private next = 0;

  constructor(private readonly skipped: Range[]) {}

  push(code: number, line: number, offset: number): void {
    const { skipped } = this;
    // Offsets only grow while lexing, so one forward pointer suffices.
    while (this.next < skipped.length && skipped[this.next][1] <= offset) this.next++;
    if (this.next < skipped.length && skipped[this.next][0] <= offset) return;
    this.codes.push(code);
    this.lines.push(line);
  }
}

/** Tokens of `text`; `skipped` are character ranges to leave out (TypeScript's type-only syntax). */
export function tokenize(text: string, language: Language, skipped: Range[] = []): TokenStream {
  const out = new Sink(skipped);
  if (language === 'sql') lexSql(text, 0, text.length, 1, out);
  else new JsLexer(text, out).run();
  const stream = { codes: out.codes, lines: out.lines };
  return language === 'js' ? dropModuleBoilerplate(stream) : stream;
}

/** Lexes `text[from, to)` as SQL starting at `line`; returns the line it ended on. */
function lexSql(text: string, from: number, to: number, line: number, out: Sink): number {
  let i = from;
  let start = from;
  const push = (code: number) => out.push(code, line, start);
  while (i < to) {
    start = i;
    const c = text.charCodeAt(i);
    if (c === 10) {
      line++;
      i++;
    } else if (c <= 32) i++;
    else if (c === 45 && text.charCodeAt(i + 1) === 45) {
      while (i < to && text.charCodeAt(i) !== 10) i++;
    } else if (c === 47 && text.charCodeAt(i + 1) === 42) {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 || end >= to ? to : end + 2;
      for (let j = i; j < stop; j++) if (text.charCodeAt(j) === 10) line++;
      i = stop;
    } else if (c === 39 || c === 34) {
      push(c === 39 ? STRING : IDENTIFIER);
      i++;
      while (i < to) {
        const d = text.charCodeAt(i);
        if (d === 10) line++;
        if (d === c) {
          if (text.charCodeAt(i + 1) === c) i += 2;
          else break;
        } else i++;
      }
      i++;
    } else if (c === 36) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(i, Math.min(to, i + 64)));
      if (tag) {
        const bodyStart = i + tag[0].length;
        const close = text.indexOf(tag[0], bodyStart);
        const bodyEnd = close < 0 || close >= to ? to : close;
        line = lexSql(text, bodyStart, bodyEnd, line, out);
        i = Math.min(to, bodyEnd + tag[0].length);
      } else {
        i++;
        while (i < to && isDigit(text.charCodeAt(i))) i++;
        push(IDENTIFIER);
      }
    } else if (isSqlIdStart(c)) {
      const start = i;
      while (i < to && (isIdPart(text.charCodeAt(i)) || text.charCodeAt(i) === 36)) i++;
      const word = text.slice(start, i).toLowerCase();
      push(SQL_KEYWORDS.has(word) ? tokenCode(word) : IDENTIFIER);
    } else if (isDigit(c)) {
      while (i < to && (isIdPart(text.charCodeAt(i)) || text.charCodeAt(i) === 46)) i++;
      push(NUMBER);
    } else {
      const two = text.slice(i, i + 2);
      if (i + 1 < to && SQL_PUNCT_2.has(two)) {
        push(tokenCode(two));
        i += 2;
      } else {
        push(tokenCode(text[i]));
        i++;
      }
    }
  }
  return line;
}

class JsLexer {
  private i = 0;
  private line = 1;
  private regexAllowed = true;
  private braceDepth = 0;
  private tokenStart = 0;
  /** Brace depth at which each open `${` of a template literal resumes its text. */
  private readonly templates: number[] = [];

  constructor(
    private readonly text: string,
    private readonly out: Sink,
  ) {}

  run(): void {
    const { text } = this;
    if (text.startsWith('#!')) this.skipLine();
    while (this.i < text.length) this.step();
  }

  private push(code: number, regexAllowedAfter: boolean): void {
    this.out.push(code, this.line, this.tokenStart);
    this.regexAllowed = regexAllowedAfter;
  }

  private skipLine(): void {
    const end = this.text.indexOf('\n', this.i);
    this.i = end < 0 ? this.text.length : end;
  }

  private step(): void {
    const { text } = this;
    this.tokenStart = this.i;
    const c = text.charCodeAt(this.i);
    if (c === 10) {
      this.line++;
      this.i++;
    } else if (c <= 32 || c === 0xfeff || c === 0xa0) this.i++;
    else if (c === 47 && text.charCodeAt(this.i + 1) === 47) this.skipLine();
    else if (c === 47 && text.charCodeAt(this.i + 1) === 42) this.skipBlockComment();
    else if (c === 39 || c === 34) this.string(c);
    else if (c === 96) {
      this.push(TEMPLATE, false);
      this.i++;
      this.templateText();
    } else if (isIdStart(c) || (c === 35 && isIdStart(text.charCodeAt(this.i + 1)))) this.word();
    else if (isDigit(c) || (c === 46 && isDigit(text.charCodeAt(this.i + 1)))) this.number();
    else if (c === 47 && this.regexAllowed) this.regex();
    else if (c === 125 && this.templates.length > 0 && this.templates[this.templates.length - 1] === this.braceDepth) {
      this.templates.pop();
      this.i++;
      this.templateText();
    } else this.punctuator(c);
  }

  private skipBlockComment(): void {
    const end = this.text.indexOf('*/', this.i + 2);
    const stop = end < 0 ? this.text.length : end + 2;
    for (let j = this.i; j < stop; j++) if (this.text.charCodeAt(j) === 10) this.line++;
    this.i = stop;
  }

  private string(quote: number): void {
    const line = this.line;
    const { text } = this;
    this.i++;
    while (this.i < text.length) {
      const d = text.charCodeAt(this.i);
      if (d === 92) {
        if (text.charCodeAt(this.i + 1) === 10) this.line++;
        this.i += 2;
      } else if (d === quote || d === 10) break;
      else this.i++;
    }
    this.i++;
    this.out.push(STRING, line, this.tokenStart);
    this.regexAllowed = false;
  }

  /** Template text up to the closing backtick or the next `${`, lexed as SQL (it usually is, or is short). */
  private templateText(): void {
    const { text } = this;
    const start = this.i;
    while (this.i < text.length) {
      const d = text.charCodeAt(this.i);
      if (d === 92) this.i += 2;
      else if (d === 96) break;
      else if (d === 36 && text.charCodeAt(this.i + 1) === 123) break;
      else this.i++;
    }
    const end = Math.min(this.i, text.length);
    this.line = lexSql(text, start, end, this.line, this.out);
    if (text.charCodeAt(this.i) === 36) {
      this.templates.push(this.braceDepth);
      this.i += 2;
      this.regexAllowed = true;
    } else {
      this.i++;
      this.regexAllowed = false;
    }
  }

  private word(): void {
    const { text } = this;
    const start = this.i;
    this.i++;
    while (this.i < text.length && isIdPart(text.charCodeAt(this.i))) this.i++;
    const word = text.slice(start, this.i);
    if (JS_KEYWORDS.has(word)) this.push(tokenCode(word), BEFORE_EXPRESSION.has(word));
    else this.push(IDENTIFIER, false);
  }

  private number(): void {
    const { text } = this;
    const hex = text.charCodeAt(this.i) === 48 && /[xXbBoO]/.test(text[this.i + 1] ?? '');
    this.i++;
    while (this.i < text.length) {
      const d = text.charCodeAt(this.i);
      const exponentSign = !hex && (d === 43 || d === 45) && /[eE]/.test(text[this.i - 1]);
      if (isIdPart(d) || d === 46 || exponentSign) this.i++;
      else break;
    }
    this.push(NUMBER, false);
  }

  private regex(): void {
    const { text } = this;
    let inClass = false;
    this.i++;
    while (this.i < text.length) {
      const d = text.charCodeAt(this.i);
      if (d === 10) break;
      if (d === 92) this.i += 2;
      else {
        this.i++;
        if (d === 91) inClass = true;
        else if (d === 93) inClass = false;
        else if (d === 47 && !inClass) break;
      }
    }
    while (this.i < text.length && isIdPart(text.charCodeAt(this.i))) this.i++;
    this.push(REGEX, false);
  }

  private punctuator(c: number): void {
    const { text } = this;
    let p = text[this.i];
    const next = text.charCodeAt(this.i + 1);
    if (next === 61 || next === 62 || next === 60 || next === 38 || next === 124 || next === 63 || next === 46 || next === 42 || next === 43 || next === 45) {
      const four = text.slice(this.i, this.i + 4);
      if (PUNCT_4.has(four)) p = four;
      else if (PUNCT_3.has(four.slice(0, 3))) p = four.slice(0, 3);
      else if (PUNCT_2.has(four.slice(0, 2))) p = four.slice(0, 2);
    }
    if (c === 123) this.braceDepth++;
    else if (c === 125) this.braceDepth--;
    this.i += p.length;
    this.push(tokenCode(p), !(c === 41 || c === 93 || c === 125));
  }
}

const IMPORT = tokenCode('import');
const EXPORT = tokenCode('export');
const FROM_PARENS = tokenCode('(');
const DOT = tokenCode('.');
const OPEN = tokenCode('{');
const CLOSE = tokenCode('}');
const STAR = tokenCode('*');
const SEMI = tokenCode(';');
/** The longest `import ... from '...'` we still recognise as one statement. */
const MAX_IMPORT_TOKENS = 400;

/**
 * Drops import statements and `export {...}` / `export * from` re-exports: every project has them and they say
 * nothing about where the code came from.
 */
function dropModuleBoilerplate(stream: TokenStream): TokenStream {
  const { codes, lines } = stream;
  const keep: TokenStream = { codes: [], lines: [] };
  let i = 0;
  while (i < codes.length) {
    const end = boilerplateEnd(codes, i);
    if (end > i) {
      i = end;
      continue;
    }
    keep.codes.push(codes[i]);
    keep.lines.push(lines[i]);
    i++;
  }
  return keep;
}

/** Index after the module statement starting at `i`, or `i` when none starts there. */
function boilerplateEnd(codes: number[], i: number): number {
  const code = codes[i];
  const next = codes[i + 1];
  let j = -1;
  if (code === IMPORT && next !== FROM_PARENS && next !== DOT) {
    j = indexOf(codes, STRING, i + 1);
  } else if (code === EXPORT && (next === OPEN || next === STAR || (next === IDENTIFIER && codes[i + 2] === OPEN))) {
    // `export {a, b}`, `export * from 'x'`, `export type {T} from 'x'`: up to the closing brace or the module name.
    const close = next === STAR ? indexOf(codes, STRING, i + 1) : indexOf(codes, CLOSE, i + 1);
    j = close;
    if (close >= 0 && next !== STAR && codes[close + 2] === STRING) j = close + 2;
  }
  if (j < 0 || j - i > MAX_IMPORT_TOKENS) return i;
  return codes[j + 1] === SEMI ? j + 2 : j + 1;
}

function indexOf(codes: number[], code: number, from: number): number {
  const limit = Math.min(codes.length, from + MAX_IMPORT_TOKENS);
  for (let k = from; k < limit; k++) if (codes[k] === code) return k;
  return -1;
}
