import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject, sign, verify } from 'node:crypto';

/**
 * C2SP signed notes with Ed25519 (algorithm byte 0x01), interoperable with Go's
 * golang.org/x/mod/sumdb/note: key id = first 4 bytes of SHA-256(name || 0x0A || 0x01 || pubkey),
 * verifier key `<name>+<hex id>+<base64(0x01 || pubkey)>`, signature line
 * `— <name> <base64(id || signature)>`, and the signature covers the note text exactly.
 */
const ALG_ED25519 = 0x01;
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SIG_PREFIX = '\u2014 ';

export class NoteError extends Error {}

export function isValidKeyName(name: string): boolean {
  return name.length > 0 && !/[\s+]/u.test(name);
}

export function noteKeyId(name: string, publicKey: Buffer): Buffer {
  return createHash('sha256').update(name, 'utf8').update('\n').update(Buffer.from([ALG_ED25519])).update(publicKey).digest().subarray(0, 4);
}

/** Ed25519 signer of notes; holds the private key as a KeyObject (not printable). */
export class NoteSigner {
  readonly publicKey: Buffer;
  readonly keyId: Buffer;
  private readonly key: KeyObject;

  constructor(readonly name: string, seed: Buffer) {
    if (!isValidKeyName(name)) throw new NoteError('invalid signer name');
    if (seed.length !== 32) throw new NoteError('Ed25519 seed must be 32 bytes');
    this.key = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
    this.publicKey = Buffer.from(createPublicKey(this.key).export({ format: 'jwk' }).x!, 'base64url');
    this.keyId = noteKeyId(name, this.publicKey);
  }

  static generate(name: string): { signer: NoteSigner; privateKey: string } {
    const { privateKey } = generateKeyPairSync('ed25519');
    const seed = Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url');
    const signer = new NoteSigner(name, seed);
    return { signer, privateKey: encodePrivateKey(name, seed, signer.keyId) };
  }

  /** Accepts Go's `PRIVATE+KEY+<name>+<hex id>+<base64(0x01 || seed)>`. */
  static fromPrivateKey(encoded: string): NoteSigner {
    const parts = splitKey(encoded, 5);
    if (parts.length !== 5 || parts[0] !== 'PRIVATE' || parts[1] !== 'KEY') throw new NoteError('malformed private key');
    const raw = Buffer.from(parts[4], 'base64');
    if (raw.length !== 33 || raw[0] !== ALG_ED25519) throw new NoteError('unsupported private key algorithm');
    const signer = new NoteSigner(parts[2], raw.subarray(1));
    if (signer.keyId.toString('hex') !== parts[3].toLowerCase()) throw new NoteError('private key id does not match its key');
    return signer;
  }

  get verifierKey(): string {
    return `${this.name}+${this.keyId.toString('hex')}+${Buffer.concat([Buffer.from([ALG_ED25519]), this.publicKey]).toString('base64')}`;
  }

  /** The signed note: text, a blank line, one signature line. */
  sign(text: string): string {
    if (!text.endsWith('\n')) throw new NoteError('note text must end with a newline');
    const signature = sign(null, Buffer.from(text, 'utf8'), this.key);
    return `${text}\n${SIG_PREFIX}${this.name} ${Buffer.concat([this.keyId, signature]).toString('base64')}\n`;
  }

  toJSON(): unknown {
    return { name: this.name, verifierKey: this.verifierKey };
  }
}

function encodePrivateKey(name: string, seed: Buffer, keyId: Buffer): string {
  return `PRIVATE+KEY+${name}+${keyId.toString('hex')}+${Buffer.concat([Buffer.from([ALG_ED25519]), seed]).toString('base64')}`;
}

export interface NoteVerifier {
  name: string;
  keyId: Buffer;
  publicKey: Buffer;
}

/** Splits on the first n-1 '+' only: the base64 key at the end may itself contain '+'. */
function splitKey(encoded: string, n: number): string[] {
  const parts = encoded.trim().split('+');
  return parts.length <= n ? parts : [...parts.slice(0, n - 1), parts.slice(n - 1).join('+')];
}

export function parseVerifierKey(encoded: string): NoteVerifier {
  const parts = splitKey(encoded, 3);
  if (parts.length !== 3 || !isValidKeyName(parts[0]) || !/^[0-9a-f]{8}$/i.test(parts[1])) throw new NoteError('malformed verifier key');
  const raw = Buffer.from(parts[2], 'base64');
  if (raw.length !== 33 || raw[0] !== ALG_ED25519) throw new NoteError('unsupported verifier key algorithm');
  const publicKey = raw.subarray(1);
  const keyId = noteKeyId(parts[0], publicKey);
  if (keyId.toString('hex') !== parts[1].toLowerCase()) throw new NoteError('verifier key id does not match its key');
  return { name: parts[0], keyId, publicKey };
}

/** Splits a signed note and checks that `verifier` signed it; returns the text. */
export function openNote(note: string, verifier: NoteVerifier): string {
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) throw new NoteError('malformed note');
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split('\n');
  const pub = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: verifier.publicKey.toString('base64url') }, format: 'jwk' });
  for (const line of lines) {
    if (!line.startsWith(SIG_PREFIX)) throw new NoteError('malformed signature line');
    const [name, b64] = line.slice(SIG_PREFIX.length).split(' ');
    const raw = Buffer.from(b64 ?? '', 'base64');
    if (name !== verifier.name || raw.length !== 68 || !raw.subarray(0, 4).equals(verifier.keyId)) continue;
    if (verify(null, Buffer.from(text, 'utf8'), pub, raw.subarray(4))) return text;
    throw new NoteError('invalid signature');
  }
  throw new NoteError('note has no signature by the given key');
}
