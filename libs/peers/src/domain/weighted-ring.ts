/** A chunk source on the ring: its weight (memory, as exo weighs devices) decides the share of the ring it owns. */
export interface RingSource {
  id: string;
  weight: number;
}

/**
 * Memory-weighted ring: the ring [0, 1) is cut into one arc per source, in a stable order (by id), each arc as
 * long as the source's share of the total weight. Chunk i of n sits at (i + 0.5) / n and belongs to the arc
 * it falls in, so each source gets a contiguous run of chunks whose count is proportional to its weight
 * (within one chunk). A chunk its owner does not hold goes to the next source clockwise that does.
 * Sources with weight <= 0 (or not finite) count as weight 1: an unknown memory size still serves.
 */
export function assignChunks(chunkCount: number, sources: RingSource[], holds: (sourceId: string, chunk: number) => boolean = () => true): Map<string, number[]> {
  const ring = [...sources].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const weights = ring.map((s) => (Number.isFinite(s.weight) && s.weight > 0 ? s.weight : 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const ends: number[] = [];
  let acc = 0;
  for (const w of weights) ends.push((acc += w / total));
  const out = new Map<string, number[]>(ring.map((s) => [s.id, []]));
  if (ring.length === 0) return out;
  let arc = 0;
  for (let i = 0; i < chunkCount; i++) {
    const pos = (i + 0.5) / chunkCount;
    while (arc < ring.length - 1 && pos >= ends[arc]) arc++;
    for (let k = 0; k < ring.length; k++) {
      const s = ring[(arc + k) % ring.length];
      if (holds(s.id, i)) {
        out.get(s.id)!.push(i);
        break;
      }
    }
  }
  return out;
}

/** The next source clockwise after `from` (by the ring's id order) that is not excluded, for a chunk to retry. */
export function nextOnRing(sourceIds: string[], from: string, excluded: ReadonlySet<string>): string | undefined {
  const ring = [...sourceIds].sort();
  const at = ring.indexOf(from);
  for (let k = 1; k <= ring.length; k++) {
    const s = ring[(Math.max(at, 0) + k) % ring.length];
    if (!excluded.has(s)) return s;
  }
  return undefined;
}
