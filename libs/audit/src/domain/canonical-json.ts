/**
 * RFC 8785 (JCS) canonical JSON. Written here because the `canonicalize` package is ESM-only with an
 * `import`-only export map, which CommonJS code under jest cannot load; `canonical-json.spec.ts` checks
 * this implementation against that package byte for byte in a child process.
 *
 * JCS = ECMAScript JSON.stringify for primitives (RFC 8785 section 3.2.2 defers to it for numbers and
 * strings) plus object members sorted by UTF-16 code units, which is JavaScript's default string order.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('canonical JSON cannot represent NaN or Infinity');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map((v) => (v === undefined || typeof v === 'function' ? 'null' : canonicalJson(v))).join(',')}]`;
  }
  if (typeof value === 'object') {
    const maybe = value as { toJSON?: () => unknown };
    if (typeof maybe.toJSON === 'function') return canonicalJson(maybe.toJSON());
    const obj = value as Record<string, unknown>;
    const parts: string[] = [];
    for (const key of Object.keys(obj).sort()) {
      const v = obj[key];
      if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
      parts.push(`${JSON.stringify(key)}:${canonicalJson(v)}`);
    }
    return `{${parts.join(',')}}`;
  }
  throw new TypeError(`canonical JSON cannot represent a ${typeof value}`);
}
