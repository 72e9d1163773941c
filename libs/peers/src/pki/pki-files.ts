import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createOperatorCa, IssuedNode, issueNodeCertificate, PemPair, ValidityWindow } from './operator-pki';

/**
 * Operator PKI on disk (`pki init`, `pki issue-node`), default root `<CAVE_DATA_DIR>/pki`:
 *   ca.cert.pem, ca.key.pem (0600)            the operator CA
 *   nodes/<name>/node.cert.pem, node.key.pem (0600), ca.cert.pem, node.json   one directory per node, to copy there
 * Directories holding a private key are 0700.
 */
export const CA_CERT_FILE = 'ca.cert.pem';
export const CA_KEY_FILE = 'ca.key.pem';

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function writeSecret(path: string, text: string): Promise<void> {
  await writeFile(path, text, { mode: 0o600, flag: 'w' });
  // An existing file keeps its mode on overwrite: force it.
  await chmod(path, 0o600);
}

export async function initCaFiles(dir: string, opts: { commonName?: string; force?: boolean } = {}): Promise<{ certPath: string; keyPath: string }> {
  const certPath = join(dir, CA_CERT_FILE);
  const keyPath = join(dir, CA_KEY_FILE);
  if (!opts.force && ((await exists(keyPath)) || (await exists(certPath)))) {
    throw new Error(`an operator CA already exists in ${dir} (pass --force to replace it: every node certificate it issued stops working)`);
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const ca = await createOperatorCa(opts.commonName);
  await writeSecret(keyPath, ca.keyPem);
  await writeFile(certPath, ca.certPem, { mode: 0o644 });
  return { certPath, keyPath };
}

export async function readCa(dir: string): Promise<PemPair> {
  try {
    return { certPem: await readFile(join(dir, CA_CERT_FILE), 'utf8'), keyPem: await readFile(join(dir, CA_KEY_FILE), 'utf8') };
  } catch {
    throw new Error(`no operator CA in ${dir}: run \`pki init\` first (or pass --dir)`);
  }
}

export interface NodeFiles extends Omit<IssuedNode, 'certPem' | 'keyPem'> {
  dir: string;
  certPath: string;
  keyPath: string;
  caPath: string;
}

export async function issueNodeFiles(caDir: string, name: string, address: string, opts: { outDir?: string; validity?: ValidityWindow } = {}): Promise<NodeFiles> {
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(name)) throw new Error(`node names are [a-z0-9][a-z0-9-]{0,62} (got ${JSON.stringify(name)})`);
  const ca = await readCa(caDir);
  const issued = await issueNodeCertificate(ca, name, address, opts.validity);
  const dir = opts.outDir ?? join(caDir, 'nodes', name);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const certPath = join(dir, 'node.cert.pem');
  const keyPath = join(dir, 'node.key.pem');
  const caPath = join(dir, CA_CERT_FILE);
  await writeSecret(keyPath, issued.keyPem);
  await writeFile(certPath, issued.certPem, { mode: 0o644 });
  await writeFile(caPath, ca.certPem, { mode: 0o644 });
  const { nodeId, serial, notAfter } = issued;
  await writeFile(join(dir, 'node.json'), `${JSON.stringify({ name, address, nodeId, serial, notAfter: notAfter.toISOString() }, null, 2)}\n`);
  return { dir, certPath, keyPath, caPath, nodeId, serial, notAfter };
}
