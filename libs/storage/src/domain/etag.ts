/** The object's strong entity tag: its SHA-256 in hex, quoted. */
export function objectETag(sha256: string): string {
  return `"${sha256}"`;
}

/** Entity tags listed in an If-Match / If-None-Match value; `*` kept as is. Weak tags compare by their opaque part. */
export function parseETagList(header: string | undefined): string[] | undefined {
  if (header === undefined) return undefined;
  return header
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '')
    .map((t) => (t === '*' ? '*' : t.replace(/^W\//, '').replace(/^"(.*)"$/, '$1')));
}

/** Does a precondition list match the current tag (sha256), or `*` match any existing object? */
export function etagListMatches(list: string[], current: string | undefined): boolean {
  if (current === undefined) return false;
  return list.some((t) => t === '*' || t === current);
}
