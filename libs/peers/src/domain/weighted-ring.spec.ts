import fc from 'fast-check';
import { assignChunks, nextOnRing } from './weighted-ring';

describe('memory-weighted ring', () => {
  it('gives each source a share proportional to its weight, contiguous and in ring order', () => {
    const a = assignChunks(100, [
      { id: 'b', weight: 16 },
      { id: 'a', weight: 48 },
      { id: 'c', weight: 32 },
    ]);
    expect(a.get('a')).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(a.get('b')).toEqual(Array.from({ length: 17 }, (_, i) => 50 + i));
    expect(a.get('c')!.length).toBe(33);
    expect(a.get('c')![0]).toBe(67);
  });

  it('splits evenly between equal weights', () => {
    const a = assignChunks(64, [
      { id: 'x', weight: 8e9 },
      { id: 'y', weight: 8e9 },
    ]);
    expect(a.get('x')).toHaveLength(32);
    expect(a.get('y')).toHaveLength(32);
  });

  it('every chunk is assigned exactly once and each share is within one chunk of weight * n / total', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 500 }), fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: 6 }), (n, ws) => {
        const sources = ws.map((w, i) => ({ id: `s${i}`, weight: w }));
        const a = assignChunks(n, sources);
        const all = [...a.values()].flat().sort((x, y) => x - y);
        expect(all).toEqual(Array.from({ length: n }, (_, i) => i));
        const total = ws.reduce((x, y) => x + y, 0);
        for (const s of sources) expect(Math.abs(a.get(s.id)!.length - (s.weight * n) / total)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('moves a chunk its owner lacks to the next holder clockwise, and treats unknown weights as 1', () => {
    const a = assignChunks(4, [
      { id: 'a', weight: 0 },
      { id: 'b', weight: NaN },
    ], (s, i) => !(s === 'a' && i === 1));
    expect(a.get('a')).toEqual([0]);
    expect(a.get('b')).toEqual([1, 2, 3]);
  });

  it('finds the next source for a retry, skipping excluded ones', () => {
    expect(nextOnRing(['a', 'b', 'c'], 'b', new Set(['b']))).toBe('c');
    expect(nextOnRing(['a', 'b', 'c'], 'c', new Set(['c']))).toBe('a');
    expect(nextOnRing(['a', 'b'], 'a', new Set(['a', 'b']))).toBeUndefined();
  });
});
