/** C2SP tlog-checkpoint body: origin, decimal tree size, base64 root hash, each on its own line. */
export interface Checkpoint {
  origin: string;
  treeSize: number;
  rootHash: Buffer;
}

export class CheckpointFormatError extends Error {}

export function formatCheckpoint(c: Checkpoint): string {
  return `${c.origin}\n${c.treeSize}\n${c.rootHash.toString('base64')}\n`;
}

export function parseCheckpoint(text: string): Checkpoint {
  const lines = text.split('\n');
  if (lines.length < 4 || lines[lines.length - 1] !== '') throw new CheckpointFormatError('checkpoint needs origin, size and root lines');
  const [origin, size, root] = lines;
  if (origin === '' || !/^(0|[1-9][0-9]{0,15})$/.test(size)) throw new CheckpointFormatError('bad checkpoint origin or size');
  const rootHash = Buffer.from(root, 'base64');
  if (rootHash.length !== 32 || rootHash.toString('base64') !== root) throw new CheckpointFormatError('bad checkpoint root hash');
  const treeSize = Number(size);
  if (!Number.isSafeInteger(treeSize)) throw new CheckpointFormatError('checkpoint size too large');
  return { origin, treeSize, rootHash };
}
