import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NoteSigner } from '../domain/signed-note';
import { loadSigningKey, SIGNING_KEY_FILE } from './signing-key';

describe('checkpoint signing key', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cave-audit-key-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is generated once into the data dir with mode 0600 and reused afterwards', () => {
    const first = loadSigningKey(undefined, dir);
    const file = join(dir, SIGNING_KEY_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toMatch(/^PRIVATE\+KEY\+cave-audit-[0-9a-f]{8}\+[0-9a-f]{8}\+/);
    expect(loadSigningKey(undefined, dir).verifierKey).toBe(first.verifierKey);
  });

  it('uses CAVE_AUDIT_SIGNING_KEY (Go note private key format) when configured', () => {
    const { signer, privateKey } = NoteSigner.generate('audit.example.com');
    expect(loadSigningKey(privateKey, join(dir, 'unused')).verifierKey).toBe(signer.verifierKey);
    expect(() => loadSigningKey('PRIVATE+KEY+x+00000000+AQ==', dir)).toThrow();
  });
});
