import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { AuditEntry, canonicalEntry, dataDigest, entryHash, GENESIS_HASH, sealEntry } from '../domain/audit-entry';
import { formatCheckpoint } from '../domain/checkpoint';
import { HmacKeyRing, hmacOf } from '../domain/hmac-key-ring';
import { hashLeaf } from '../domain/merkle';
import { MerkleTree } from '../domain/merkle-tree';
import { NoteSigner } from '../domain/signed-note';
import { verifyLogFile } from './offline-verifier';

const KEY = 'k'.repeat(32);
const OLD_KEY = 'o'.repeat(32);

function buildLog(n: number, ring: HmacKeyRing, from = 0, prev = GENESIS_HASH): AuditEntry[] {
  const out: AuditEntry[] = [];
  for (let i = from; i < from + n; i++) {
    const e = sealEntry(
      {
        seq: i, globalPosition: i + 1, eventId: randomUUID(), eventType: ['sandbox_created', 'sandbox_started', 'sandbox_exec'][i % 3],
        namespace: i % 2 ? 'team-a' : 'team-b', actor: i % 5 ? `key_${i % 7}` : null, recordedAt: new Date(1_764_000_000_000 + i).toISOString(),
        dataSha256: dataDigest({ i }), prevHash: prev,
      },
      ring.signer(),
    );
    out.push(e);
    prev = e.hash;
  }
  return out;
}
const line = (e: object) => canonicalEntry(e as Record<string, unknown>);

describe('offline verification of an audit JSONL file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cave-audit-verify-'));
  const ring = new HmacKeyRing(KEY, [OLD_KEY]);
  const entries = buildLog(20, ring);
  const lines = entries.map(line);
  const { signer } = NoteSigner.generate('cave-audit-spec');
  const tree = new MerkleTree();
  for (const l of lines) tree.append(hashLeaf(l));
  const checkpoint = signer.sign(formatCheckpoint({ origin: signer.name, treeSize: 20, rootHash: tree.root(20) }));
  const keys = { hmacKey: KEY, checkpoint, publicKey: signer.verifierKey };
  let n = 0;
  const write = (ls: string[], tail = '\n') => {
    const f = join(dir, `log-${n++}.jsonl`);
    writeFileSync(f, ls.join('\n') + tail);
    return f;
  };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts the intact log with HMACs and the checkpoint', async () => {
    const r = await verifyLogFile(write(lines), keys);
    expect(r).toMatchObject({ ok: true, entries: 20, hmacChecked: true, checkpoint: { treeSize: 20 } });
  });

  it('reports an edited field as modified at that entry', async () => {
    const ls = [...lines];
    ls[7] = ls[7].replace('"sandbox_started"', '"sandbox_stopped"');
    const r = await verifyLogFile(write(ls), keys);
    expect(r.problem).toMatchObject({ reason: 'modified', seq: 7, line: 8 });
  });

  it('reports an edit whose hash was recomputed (no key) as bad_hmac at that entry', async () => {
    const forged: Record<string, unknown> = { ...entries[7], actor: 'someone-else' };
    forged.hash = entryHash(forged);
    const ls = [...lines];
    ls[7] = line(forged);
    expect((await verifyLogFile(write(ls), keys)).problem).toMatchObject({ reason: 'bad_hmac', seq: 7, line: 8 });
    // Without the HMAC key only the broken link to the next entry shows it.
    expect((await verifyLogFile(write(ls), { hmacKey: undefined })).problem).toMatchObject({ reason: 'modified', seq: 7, line: 8 });
  });

  it('reports an entry re-signed with a wrong key as bad_hmac', async () => {
    const forged: Record<string, unknown> = { ...entries[4], actor: 'intruder', keyId: entries[4].keyId };
    forged.hash = entryHash(forged);
    forged.hmac = hmacOf('w'.repeat(32), forged.hash as string);
    const ls = [...lines];
    ls[4] = line(forged);
    expect((await verifyLogFile(write(ls), keys)).problem).toMatchObject({ reason: 'bad_hmac', seq: 4, line: 5 });
  });

  it('reports a deleted line as removed', async () => {
    const ls = lines.filter((_, i) => i !== 11);
    expect((await verifyLogFile(write(ls), keys)).problem).toMatchObject({ reason: 'removed', seq: 11, line: 12 });
  });

  it('reports an inserted forged line (right seq and prevHash, no valid HMAC) as inserted', async () => {
    const forged: Record<string, unknown> = { ...entries[5], eventId: randomUUID(), eventType: 'sandbox_deleted' };
    forged.hash = entryHash(forged);
    forged.hmac = hmacOf('w'.repeat(32), forged.hash as string);
    const ls = [...lines.slice(0, 5), line(forged), ...lines.slice(5)];
    expect((await verifyLogFile(write(ls), keys)).problem).toMatchObject({ reason: 'inserted', seq: 5, line: 6 });
    const after = [...lines.slice(0, 6), line(forged), ...lines.slice(6)];
    expect((await verifyLogFile(write(after), keys)).problem).toMatchObject({ reason: 'inserted', seq: 5, line: 7 });
  });

  it('reports a duplicated line as inserted', async () => {
    const ls = [...lines.slice(0, 9), lines[3], ...lines.slice(9)];
    expect((await verifyLogFile(write(ls), keys)).problem).toMatchObject({ reason: 'inserted', seq: 3, line: 10 });
  });

  it('reports two swapped lines as reordered', async () => {
    const ls = [...lines];
    [ls[3], ls[8]] = [ls[8], ls[3]];
    expect((await verifyLogFile(write(ls), keys)).problem).toMatchObject({ reason: 'reordered', seq: 3, line: 9 });
  });

  it('reports a cut tail as truncated against the checkpoint, and a torn last line as truncated', async () => {
    expect((await verifyLogFile(write(lines.slice(0, 17)), keys)).problem).toMatchObject({ reason: 'truncated', seq: 17 });
    // Without a checkpoint a clean cut is undetectable from the file alone; that is what checkpoints are for.
    expect((await verifyLogFile(write(lines.slice(0, 17)), { hmacKey: KEY })).ok).toBe(true);
    const torn = write([...lines.slice(0, 19), lines[19].slice(0, 30)], '');
    expect((await verifyLogFile(torn, { hmacKey: KEY })).problem).toMatchObject({ reason: 'truncated', seq: 19 });
  });

  it('reports a fully rewritten unsigned chain as forked against the checkpoint, or bad_hmac when HMACs are required', async () => {
    const rewritten = buildLog(20, new HmacKeyRing(undefined)).map(line);
    expect((await verifyLogFile(write(rewritten), keys)).problem).toMatchObject({ reason: 'forked', seq: 19 });
    expect((await verifyLogFile(write(rewritten), { hmacKey: KEY, hmacRequired: true })).problem).toMatchObject({ reason: 'bad_hmac', seq: 0 });
    // A log that was signed once cannot silently continue unsigned (downgrade).
    const downgraded = [...lines.slice(0, 10), ...buildLog(10, new HmacKeyRing(undefined), 10, entries[9].hash).map(line)];
    expect((await verifyLogFile(write(downgraded), { hmacKey: KEY })).problem).toMatchObject({ reason: 'bad_hmac', seq: 10 });
  });

  it('rejects a checkpoint signed by another key', async () => {
    const other = NoteSigner.generate('cave-audit-spec').signer;
    const r = await verifyLogFile(write(lines), { ...keys, checkpoint: other.sign(formatCheckpoint({ origin: other.name, treeSize: 20, rootHash: tree.root(20) })) });
    expect(r.problem).toMatchObject({ reason: 'bad_checkpoint' });
  });

  it('still verifies entries signed with a rotated-out key', async () => {
    const oldRing = new HmacKeyRing(OLD_KEY);
    const old = buildLog(5, oldRing);
    const newer = buildLog(5, new HmacKeyRing(KEY), 5, old[4].hash);
    const f = write([...old, ...newer].map(line));
    expect((await verifyLogFile(f, { hmacKey: KEY, hmacPreviousKeys: [OLD_KEY] })).ok).toBe(true);
    expect((await verifyLogFile(f, { hmacKey: KEY })).problem).toMatchObject({ reason: 'bad_hmac', seq: 0 });
  });

  it('gives the same verdicts with worker threads on a larger log', async () => {
    const big = buildLog(12_000, ring).map(line);
    const f = write(big);
    expect(readFileSync(f).length).toBeGreaterThan(4 * 1024 * 1024);
    expect(await verifyLogFile(f, { hmacKey: KEY, threads: 2 })).toMatchObject({ ok: true, entries: 12_000 });
    const ls = [...big];
    [ls[9000], ls[9001]] = [ls[9001], ls[9000]];
    expect((await verifyLogFile(write(ls), { hmacKey: KEY, threads: 2 })).problem).toMatchObject({ reason: 'reordered', seq: 9000, line: 9002 });
  }, 60_000);
});
