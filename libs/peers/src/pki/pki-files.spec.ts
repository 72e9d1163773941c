import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initCaFiles, issueNodeFiles } from './pki-files';
import { nodeIdFromSubjectAltName } from './operator-pki';

describe('operator PKI files', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'cave-pki-spec-')), 'pki');

  it('creates a P-256 CA whose key is 0600 and refuses to overwrite it', async () => {
    const { certPath, keyPath } = await initCaFiles(dir);
    expect(statSync(keyPath).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const ca = new X509Certificate(readFileSync(certPath));
    expect(ca.ca).toBe(true);
    expect(ca.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    await expect(initCaFiles(dir)).rejects.toThrow(/already exists/);
  });

  it('issues a node certificate with the address and urn:cave:node SANs, signed by the CA, EKU server+client', async () => {
    const files = await issueNodeFiles(dir, 'node-a', '10.0.0.7');
    expect(statSync(files.keyPath).mode & 0o777).toBe(0o600);
    const cert = new X509Certificate(readFileSync(files.certPath));
    const ca = new X509Certificate(readFileSync(join(dir, 'ca.cert.pem')));
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.subjectAltName).toContain('IP Address:10.0.0.7');
    expect(nodeIdFromSubjectAltName(cert.subjectAltName)).toBe(files.nodeId);
    expect(cert.keyUsage).toEqual(expect.arrayContaining(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']));
    expect(cert.serialNumber.toLowerCase()).toBe(files.serial);
    const dns = await issueNodeFiles(dir, 'node-b', 'seed.example.net');
    expect(new X509Certificate(readFileSync(dns.certPath)).subjectAltName).toContain('DNS:seed.example.net');
  });

  it('refuses bad names and addresses', async () => {
    await expect(issueNodeFiles(dir, 'Bad Name', '10.0.0.1')).rejects.toThrow(/node names/);
    await expect(issueNodeFiles(dir, 'ok', 'not an address')).rejects.toThrow(/--address/);
  });
});
