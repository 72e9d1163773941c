import { AuditEntry, entryBody, entryLine } from './audit-entry';
import { equalBytes, fromBase64, leafHash, rootFromProof, sha256, toHex } from './merkle';
import { parseCheckpoint, verifyNote } from './signed-note';

export interface MemberProof {
  leafIndex: number;
  treeSize: number;
  hashes: string[];
  entry: AuditEntry;
  checkpoint: string;
}

export interface ProofCheck {
  name: string;
  ok: boolean | null;
  detail: string;
}

export interface ProofVerdict {
  ok: boolean;
  checks: ProofCheck[];
}

/**
 * Every step of trusting one event's audit entry, computed here: the entry hashes to its `hash`, its leaf
 * folds with the proof to the checkpoint's root at the checkpoint's size, and (given the verifier key)
 * the checkpoint is signed by the audit key. `ok` needs every step that could run to pass.
 */
export async function verifyMemberProof(proof: MemberProof, eventId: string, verifierKey?: string): Promise<ProofVerdict> {
  const checks: ProofCheck[] = [];
  checks.push({ name: 'entry is for this event', ok: proof.entry.eventId === eventId, detail: `entry ${proof.entry.seq} names event ${proof.entry.eventId}` });

  const bodyHash = toHex(await sha256(new TextEncoder().encode(entryBody(proof.entry))));
  checks.push({ name: 'entry hash', ok: bodyHash === proof.entry.hash, detail: `SHA-256 of the entry is ${bodyHash.slice(0, 16)}…` });

  let cp;
  try {
    cp = parseCheckpoint(proof.checkpoint);
  } catch (e) {
    checks.push({ name: 'checkpoint', ok: false, detail: (e as Error).message });
    return { ok: false, checks };
  }
  checks.push({ name: 'proof size matches checkpoint', ok: cp.treeSize === proof.treeSize && proof.leafIndex === proof.entry.seq, detail: `leaf ${proof.leafIndex} of ${proof.treeSize}; checkpoint size ${cp.treeSize}` });

  const leaf = await leafHash(entryLine(proof.entry));
  const root = await rootFromProof(proof.leafIndex, proof.treeSize, leaf, proof.hashes.map(fromBase64));
  checks.push({
    name: 'inclusion proof',
    ok: root !== undefined && equalBytes(root, cp.rootHash),
    detail: root === undefined ? 'the proof has the wrong shape for this leaf and size' : `computed root ${toHex(root).slice(0, 16)}…, checkpoint root ${toHex(cp.rootHash).slice(0, 16)}…`,
  });

  if (verifierKey) {
    const signed = await verifyNote(proof.checkpoint, verifierKey).catch(() => false);
    checks.push({ name: 'checkpoint signature', ok: signed, detail: signed ? `Ed25519 signature by ${verifierKey.split('+')[0]} is valid` : 'the signature does not verify with this key' });
  } else {
    checks.push({ name: 'checkpoint signature', ok: null, detail: 'no verifier key given: signature not checked' });
  }
  return { ok: checks.every((c) => c.ok !== false), checks };
}
