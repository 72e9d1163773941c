import { equalBytes, fromBase64, sha256 } from './merkle';

/**
 * C2SP signed notes and tlog checkpoints, checked with WebCrypto's Ed25519. Verifier key:
 * `<name>+<hex key id>+<base64(0x01 || 32-byte public key)>`; key id = SHA-256(name || 0x0A || 0x01 || key)[0..4];
 * signature line `— <name> <base64(key id || 64-byte signature)>` over the note text exactly.
 */
export interface Checkpoint {
  origin: string;
  treeSize: number;
  rootHash: Uint8Array;
  text: string;
}

const enc = new TextEncoder();

export function parseCheckpoint(note: string): Checkpoint {
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new Error('not a signed note');
  const text = note.slice(0, split + 1);
  const [origin, size, root] = text.split('\n');
  if (!origin || !/^(0|[1-9]\d{0,15})$/.test(size ?? '')) throw new Error('bad checkpoint origin or size');
  const rootHash = fromBase64(root ?? '');
  if (rootHash.length !== 32) throw new Error('bad checkpoint root');
  return { origin, treeSize: Number(size), rootHash, text };
}

export async function verifyNote(note: string, verifierKey: string): Promise<boolean> {
  const parts = verifierKey.trim().split('+');
  if (parts.length < 3) return false;
  const name = parts[0];
  const keyIdHex = parts[1];
  const raw = fromBase64(parts.slice(2).join('+'));
  if (raw.length !== 33 || raw[0] !== 1) return false;
  const publicKey = raw.subarray(1);
  const idInput = new Uint8Array([...enc.encode(name), 0x0a, 0x01, ...publicKey]);
  const keyId = (await sha256(idInput)).subarray(0, 4);
  if (Array.from(keyId, (b) => b.toString(16).padStart(2, '0')).join('') !== keyIdHex.toLowerCase()) return false;

  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) return false;
  const text = note.slice(0, split + 1);
  const key = await crypto.subtle.importKey('raw', publicKey as BufferSource, { name: 'Ed25519' }, false, ['verify']);
  for (const line of note.slice(split + 2, -1).split('\n')) {
    const m = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const sig = fromBase64(m[2]);
    if (sig.length !== 68 || !equalBytes(sig.subarray(0, 4), keyId)) continue;
    return crypto.subtle.verify({ name: 'Ed25519' }, key, sig.subarray(4) as BufferSource, enc.encode(text) as BufferSource);
  }
  return false;
}
