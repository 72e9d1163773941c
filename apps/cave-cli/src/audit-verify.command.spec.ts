import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditVerifyCommand } from './audit-verify.command';

import { randomUUID } from 'node:crypto';
import { canonicalEntry, dataDigest, GENESIS_HASH, sealEntry } from '../../../libs/audit/src/domain/audit-entry';
import { formatCheckpoint } from '../../../libs/audit/src/domain/checkpoint';
import { HmacKeyRing } from '../../../libs/audit/src/domain/hmac-key-ring';
import { hashLeaf } from '../../../libs/audit/src/domain/merkle';
import { MerkleTree } from '../../../libs/audit/src/domain/merkle-tree';
import { NoteSigner } from '../../../libs/audit/src/domain/signed-note';

/** A signed n-entry log on disk with its checkpoint, built the way the writer builds entries. */
const AuditWriterFixture = {
  key: 'cli-spec-hmac-key-0123456789abcdef',
  build(dir: string, n: number) {
    const ring = new HmacKeyRing(this.key);
    const tree = new MerkleTree();
    const lines: string[] = [];
    let prev = GENESIS_HASH;
    for (let i = 0; i < n; i++) {
      const e = sealEntry({ seq: i, globalPosition: i + 1, eventId: randomUUID(), eventType: 'sandbox_exec', namespace: 'ns', actor: null, recordedAt: new Date(0).toISOString(), dataSha256: dataDigest({ i }), prevHash: prev }, ring.signer());
      prev = e.hash;
      lines.push(canonicalEntry(e as unknown as Record<string, unknown>));
      tree.append(hashLeaf(lines[i]));
    }
    const { signer } = NoteSigner.generate('cave-audit-cli');
    const file = join(dir, 'audit.jsonl');
    const checkpointFile = join(dir, 'cp.txt');
    writeFileSync(file, lines.join('\n') + '\n');
    writeFileSync(checkpointFile, signer.sign(formatCheckpoint({ origin: signer.name, treeSize: n, rootHash: tree.root(n) })));
    return { file, checkpointFile, publicKey: signer.verifierKey };
  },
};

describe('cave audit verify', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cave-cli-audit-'));
  const out: string[] = [];
  const env = { ...process.env };
  beforeEach(() => {
    out.length = 0;
    jest.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
    jest.spyOn(process.stderr, 'write').mockImplementation((s) => (out.push(String(s)), true));
    process.env.CAVE_AUDIT_LOG_HMAC_KEY = AuditWriterFixture.key;
  });
  afterEach(() => {
    jest.restoreAllMocks();
    process.env = { ...env };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 0 on an intact log with its checkpoint and 1 naming the first bad entry', async () => {
    const fx = AuditWriterFixture.build(dir, 12);
    writeFileSync(join(dir, 'key.txt'), fx.publicKey + '\n');
    expect(await auditVerifyCommand(['--file', fx.file, '--checkpoint', fx.checkpointFile, '--public-key', join(dir, 'key.txt')])).toBe(0);
    expect(out.join('')).toMatch(/^OK: 12 entries intact, HMACs verified, matches checkpoint/);

    const lines = readFileSync(fx.file, 'utf8').split('\n');
    [lines[2], lines[5]] = [lines[5], lines[2]];
    writeFileSync(fx.file, lines.join('\n'));
    out.length = 0;
    expect(await auditVerifyCommand(['--file', fx.file, '--checkpoint', fx.checkpointFile, '--public-key', fx.publicKey, '--json'])).toBe(1);
    expect(JSON.parse(out.join(''))).toMatchObject({ ok: false, problem: { reason: 'reordered', seq: 2, line: 6 } });
  });

  it('rejects bad usage with exit status 2', async () => {
    expect(await auditVerifyCommand(['--file', join(dir, 'missing.jsonl')])).toBe(2);
    expect(await auditVerifyCommand(['--checkpoint', 'x'])).toBe(2);
    expect(await auditVerifyCommand(['--bogus'])).toBe(2);
  });
});
