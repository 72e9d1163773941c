/** 32-bit FNV-1a of a normalised token's text: stable across runs and machines, unlike interned ids. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const codes = new Map<string, number>();

/** The code of a normalised token (memoised: the vocabulary after normalisation is a few hundred strings). */
export function tokenCode(text: string): number {
  let code = codes.get(text);
  if (code === undefined) {
    code = fnv1a(text);
    codes.set(text, code);
  }
  return code;
}

/** Placeholders every identifier, string, number, regex and template text normalises to. */
export const IDENTIFIER = tokenCode('<id>');
export const STRING = tokenCode('<str>');
export const NUMBER = tokenCode('<num>');
export const REGEX = tokenCode('<re>');
export const TEMPLATE = tokenCode('<tpl>');
