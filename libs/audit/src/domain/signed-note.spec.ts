import { createHash, createPublicKey, verify } from 'node:crypto';
import { formatCheckpoint, parseCheckpoint } from './checkpoint';
import { NoteError, NoteSigner, openNote, parseVerifierKey } from './signed-note';

describe('signed checkpoints (C2SP signed note, Ed25519)', () => {
  const { signer, privateKey } = NoteSigner.generate('cave-audit-test');
  const root = createHash('sha256').update('root').digest();
  const note = signer.sign(formatCheckpoint({ origin: signer.name, treeSize: 42, rootHash: root }));

  it('writes the tlog-checkpoint body, a blank line and one signature line', () => {
    const [body, sigs] = note.split('\n\n');
    expect(body).toBe(`cave-audit-test\n42\n${root.toString('base64')}`);
    expect(sigs).toMatch(/^\u2014 cave-audit-test [A-Za-z0-9+/]+=*\n$/);
  });

  it('verifies with node:crypto alone, following the note spec rather than our verifier', () => {
    // Verifier key: <name>+<hex key id>+<base64(0x01 || pubkey)>; key id = SHA-256(name || \n || 0x01 || pubkey)[:4].
    const [name, idHex, ...rest] = signer.verifierKey.split('+');
    const keyB64 = rest.join('+');
    const keyBytes = Buffer.from(keyB64, 'base64');
    expect(keyBytes[0]).toBe(0x01);
    const pub = keyBytes.subarray(1);
    const expectedId = createHash('sha256').update(Buffer.concat([Buffer.from(`${name}\n`), Buffer.from([1]), pub])).digest().subarray(0, 4);
    expect(idHex).toBe(expectedId.toString('hex'));

    const text = note.slice(0, note.indexOf('\n\n') + 1);
    const sigLine = note.slice(note.indexOf('\n\n') + 2).trimEnd();
    const sig = Buffer.from(sigLine.split(' ')[2], 'base64');
    expect(sig.subarray(0, 4).equals(expectedId)).toBe(true);
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: pub.toString('base64url') }, format: 'jwk' });
    expect(verify(null, Buffer.from(text), key, sig.subarray(4))).toBe(true);
    expect(verify(null, Buffer.from(text.replace('42', '41')), key, sig.subarray(4))).toBe(false);
  });

  it('round-trips through our verifier and the Go private key format', () => {
    const again = NoteSigner.fromPrivateKey(privateKey);
    expect(again.verifierKey).toBe(signer.verifierKey);
    const cp = parseCheckpoint(openNote(note, parseVerifierKey(signer.verifierKey)));
    expect(cp).toEqual({ origin: 'cave-audit-test', treeSize: 42, rootHash: root });
  });

  it('rejects a note signed by another key or edited after signing', () => {
    const other = NoteSigner.generate('cave-audit-test').signer;
    expect(() => openNote(note, parseVerifierKey(other.verifierKey))).toThrow(NoteError);
    expect(() => openNote(note.replace('\n42\n', '\n43\n'), parseVerifierKey(signer.verifierKey))).toThrow('invalid signature');
    expect(() => parseVerifierKey(signer.verifierKey.replace(/\+[0-9a-f]{8}\+/, '+00000000+'))).toThrow(NoteError);
  });

  it('never prints the private key', () => {
    expect(JSON.stringify(signer)).not.toContain(privateKey.split('+')[4]);
  });
});
