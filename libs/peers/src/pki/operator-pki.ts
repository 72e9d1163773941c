import 'reflect-metadata';
import { isIP } from 'node:net';
import { randomBytes, randomUUID, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const EC: EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGN: EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };
const NODE_URN = /^urn:cave:node:([0-9a-f-]{36})$/;

/** PEM pair as written to disk: the key is PKCS#8 and must be stored 0600. */
export interface PemPair {
  certPem: string;
  keyPem: string;
}

export interface IssuedNode extends PemPair {
  nodeId: string;
  /** Lower-case hex serial, as the deny list and Node's `getPeerCertificate().serialNumber` (upper) name it. */
  serial: string;
  notAfter: Date;
}

export interface ValidityWindow {
  notBefore?: Date;
  notAfter?: Date;
}

/** The node id a CAVE node certificate carries as a `urn:cave:node:<id>` URI SAN. */
export function nodeIdFromSubjectAltName(subjectaltname: string | undefined): string | undefined {
  for (const part of (subjectaltname ?? '').split(',')) {
    const m = /^\s*URI:(.*)$/.exec(part);
    const id = m && NODE_URN.exec(m[1].trim());
    if (id) return id[1];
  }
  return undefined;
}

/** Positive 128-bit serial (high bit clear so DER needs no sign byte), lower-case hex. */
function newSerial(): string {
  const b = randomBytes(16);
  b[0] &= 0x7f;
  b[0] |= 0x01;
  return b.toString('hex');
}

async function keyPem(key: webcrypto.CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

async function importKey(pem: string): Promise<webcrypto.CryptoKey> {
  return webcrypto.subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(pem), EC, false, ['sign']);
}

function dnValue(s: string): string {
  if (!/^[\w .-]{1,64}$/.test(s)) throw new Error(`names are 1..64 of [A-Za-z0-9_ .-] (got ${JSON.stringify(s)})`);
  return s;
}

/** A self-signed ECDSA P-256 operator CA, ten years by default; it signs node certificates and nothing else. */
export async function createOperatorCa(commonName = 'CAVE operator CA', validity: ValidityWindow = {}): Promise<PemPair> {
  const keys = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const notBefore = validity.notBefore ?? new Date(Date.now() - 60_000);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: newSerial(),
    name: `CN=${dnValue(commonName)}`,
    notBefore,
    notAfter: validity.notAfter ?? new Date(notBefore.getTime() + 10 * 365 * 86_400_000),
    signingAlgorithm: SIGN,
    keys: keys as unknown as CryptoKeyPair,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey as unknown as CryptoKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await keyPem(keys.privateKey) };
}

/**
 * A node certificate signed by the operator CA: SAN with the node's address (IP or DNS) and
 * `urn:cave:node:<id>`, EKU server and client auth (one certificate serves and dials), one year by default.
 */
export async function issueNodeCertificate(ca: PemPair, name: string, address: string, validity: ValidityWindow = {}): Promise<IssuedNode> {
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await importKey(ca.keyPem);
  const keys = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const nodeId = randomUUID();
  const serial = newSerial();
  const notBefore = validity.notBefore ?? new Date(Date.now() - 60_000);
  const notAfter = validity.notAfter ?? new Date(notBefore.getTime() + 365 * 86_400_000);
  if (!/^[A-Za-z0-9.:-]{1,253}$/.test(address)) throw new Error(`--address must be a host name or an IP address (got ${JSON.stringify(address)})`);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial,
    subject: `CN=${dnValue(name)}`,
    issuer: caCert.subject,
    notBefore,
    notAfter,
    signingAlgorithm: SIGN,
    publicKey: keys.publicKey as unknown as CryptoKey,
    signingKey: caKey as unknown as CryptoKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: isIP(address) ? 'ip' : 'dns', value: address },
        { type: 'url', value: `urn:cave:node:${nodeId}` },
      ]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey as unknown as CryptoKey),
      await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await keyPem(keys.privateKey), nodeId, serial, notAfter };
}
