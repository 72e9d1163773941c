import { diffJson } from './diff';

describe('diffJson', () => {
  it('lists changed, added and removed paths in nested objects and arrays', () => {
    expect(diffJson({ state: 'created', limits: { memoryMb: 64 }, tags: ['a'] }, { state: 'running', limits: { memoryMb: 64, cpu: 1 }, tags: [] })).toEqual([
      { path: 'limits.cpu', kind: 'added', after: 1 },
      { path: 'state', kind: 'changed', before: 'created', after: 'running' },
      { path: 'tags[0]', kind: 'removed', before: 'a' },
    ]);
  });

  it('is empty for equal values and names the root for scalars', () => {
    expect(diffJson({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toEqual([]);
    expect(diffJson(1, 2)).toEqual([{ path: '(root)', kind: 'changed', before: 1, after: 2 }]);
  });
});
