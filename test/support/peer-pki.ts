import { mkdtempSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOperatorCa, IssuedNode, issueNodeCertificate, PemPair, ValidityWindow } from '@cave/peers';

/** A throw-away operator CA with helpers to issue node certificates and write them where a daemon reads them. */
export class TestPki {
  readonly dir = mkdtempSync(join(tmpdir(), 'cave-pki-'));
  private constructor(readonly ca: PemPair) {}

  static async create(): Promise<TestPki> {
    return new TestPki(await createOperatorCa('test operator CA'));
  }

  async node(name: string, address = '127.0.0.1', validity?: ValidityWindow): Promise<IssuedNode & { files: Record<'CAVE_PEER_CA_FILE' | 'CAVE_PEER_CERT_FILE' | 'CAVE_PEER_KEY_FILE', string> }> {
    const issued = await issueNodeCertificate(this.ca, name, address, validity);
    const cert = join(this.dir, `${name}.cert.pem`);
    const key = join(this.dir, `${name}.key.pem`);
    const ca = join(this.dir, 'ca.cert.pem');
    writeFileSync(cert, issued.certPem);
    writeFileSync(key, issued.keyPem, { mode: 0o600 });
    writeFileSync(ca, this.ca.certPem);
    return { ...issued, files: { CAVE_PEER_CA_FILE: ca, CAVE_PEER_CERT_FILE: cert, CAVE_PEER_KEY_FILE: key } };
  }
}

export interface TlsClient {
  ca: string;
  cert?: string;
  key?: string;
  maxVersion?: 'TLSv1.2' | 'TLSv1.3';
}

/** One GET over a fresh TLS connection (no agent, no reuse): the status and body, or the error that ended it. */
export function tlsGet(port: number, path: string, client: TlsClient): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((resolve) => {
    const req = httpsRequest(
      { host: '127.0.0.1', port, path, method: 'GET', agent: false, ca: client.ca, cert: client.cert, key: client.key, minVersion: 'TLSv1.2', maxVersion: client.maxVersion ?? 'TLSv1.3', timeout: 5_000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', (e) => resolve({ error: e.message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
    req.end();
  });
}
