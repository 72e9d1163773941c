import { execFileSync } from 'node:child_process';
import { canonicalEntry } from './audit-entry';
import { canonicalJson } from './canonical-json';

const SAMPLES: unknown[] = [
  { b: 1, a: [true, null, 'x'], c: { z: 1e21, y: 1.5e-7, x: -0, w: 0.1 + 0.2 } },
  { '\u20ac': 1, '\r': 2, '\ufb33': 3, '1': 4, '\u{1f600}': 5, ö: 6 },
  { s: 'quote " backslash \\ control \u0001 \u001f line\nsep\u2028 emoji \u{1f600}' },
  [1, 2.5, -3, 4.5e300, 5e-324, 123456789012345680000],
  { nested: { deeper: [{ b: 2, a: 1 }] }, empty: {}, list: [] },
  'plain',
  42,
  null,
];

describe('RFC 8785 canonical JSON', () => {
  it('matches the canonicalize package (v4) byte for byte', () => {
    // canonicalize is ESM-only; ask a plain Node process for its output.
    const script = `import c from 'canonicalize'; const xs = JSON.parse(process.argv[1]); process.stdout.write(JSON.stringify(xs.map((x) => c(x))));`;
    const theirs = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(SAMPLES)], { cwd: __dirname, encoding: 'utf8' })) as string[];
    expect(SAMPLES.map((s) => canonicalJson(s))).toEqual(theirs);
  });

  it('serialises audit entries on the fast path exactly like the generic one', () => {
    const entry = {
      seq: 7, globalPosition: 9001, eventId: '0b7e8c4e-4b7c-4c5e-9a57-2d7d1a5b9f00', eventType: 'sandbox_exec', namespace: 'team-ü',
      actor: null, recordedAt: '2026-11-25T12:00:00.123Z', dataSha256: 'a'.repeat(64), prevHash: 'b'.repeat(64), hash: 'c'.repeat(64),
      keyId: '1a2b3c4d', hmac: 'x/y+z=',
    };
    expect(canonicalEntry(entry)).toBe(canonicalJson(entry));
    const { hash: _h, hmac: _m, ...body } = entry;
    expect(canonicalEntry(entry, true)).toBe(canonicalJson(body));
    // An extra member or a wrong type leaves the fast path and is still canonical.
    expect(canonicalEntry({ ...entry, extra: { b: 1, a: 2 } })).toBe(canonicalJson({ ...entry, extra: { b: 1, a: 2 } }));
    expect(canonicalEntry({ ...entry, seq: '7' })).toBe(canonicalJson({ ...entry, seq: '7' }));
  });
});
