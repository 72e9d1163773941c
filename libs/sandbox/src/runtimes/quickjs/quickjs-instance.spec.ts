import { OutputCapture } from '../output-capture';
import { QuickJsInstance } from './quickjs-instance';

const run = (inst: QuickJsInstance, code: string) => {
  const capture = new OutputCapture(10_000, () => undefined);
  const r = inst.eval(code, Date.now() + 2000, capture);
  return { ...r, out: capture.finish().stdout.text };
};
const contains = (haystack: Uint8Array, needle: string) => Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength).includes(Buffer.from(needle));

describe('QuickJsInstance memory recycling (Quick Mode)', () => {
  it("a recycled memory starts as a fresh one: nothing of the previous guest's data is left in it", async () => {
    const first = await QuickJsInstance.create(16);
    const marker = 'previous-guest-secret-7f3a9c';
    expect(run(first, `globalThis.keep = ${JSON.stringify(marker)}.repeat(50); console.log(keep.length)`).out).toBe('1400\n');
    expect(contains(first.image().bytes, marker)).toBe(true);
    const memory = first.recycleMemory();
    expect(memory).toBeDefined();
    expect(first.usable).toBe(false);

    const second = await QuickJsInstance.create(16, memory);
    expect(contains(second.image().bytes, marker)).toBe(false);
    expect(run(second, 'console.log(typeof keep, 1 + 1)').out).toBe('undefined 2\n');
    // Byte for byte what a brand-new instance holds (outside the few bytes two fresh instances differ in anyway).
    const fresh = [await QuickJsInstance.create(16), await QuickJsInstance.create(16)].map((i) => i.image().bytes);
    const differing = (a: Uint8Array, b: Uint8Array) => a.reduce((n, v, i) => (v !== b[i] ? n + 1 : n), 0);
    const second2 = await QuickJsInstance.create(16, (await QuickJsInstance.create(16)).recycleMemory());
    expect(differing(second2.image().bytes, fresh[0])).toBeLessThanOrEqual(Math.max(16, differing(fresh[0], fresh[1])));
  });

  it('a memory the guest grew is not recycled (it cannot shrink back)', async () => {
    const inst = await QuickJsInstance.create(32);
    run(inst, 'globalThis.big = new ArrayBuffer(20 * 1024 * 1024); console.log(big.byteLength)');
    expect(inst.recycleMemory()).toBeUndefined();
  });
});
