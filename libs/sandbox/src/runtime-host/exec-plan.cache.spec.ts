import { DEFAULT_POLICY } from '../domain/runtime/namespace-policy';
import { CachedPlan, ExecPlanCache } from './exec-plan.cache';

const quick: CachedPlan = { runtime: 'javascript', mode: 'quick', limits: { memoryMb: 16, timeoutMs: 1000, maxOutputBytes: 100 }, policy: DEFAULT_POLICY, policyVersion: 0 };
const ID = '5b0e3a40-6c3e-4d8a-9d51-0f1f8d1c2a11';

describe('ExecPlanCache', () => {
  it('keys by namespace and sandbox: another namespace never finds the entry', () => {
    const cache = new ExecPlanCache();
    cache.remember('tenant-a', ID, quick);
    expect(cache.get('tenant-a', ID)).toBe(quick);
    expect(cache.get('tenant-b', ID)).toBeUndefined();
    // A namespace that is a prefix of another must not collide either.
    expect(cache.get('tenant', ID)).toBeUndefined();
  });

  it('keeps only Quick Mode javascript plans (persistent and WASI execs need their durable state)', () => {
    const cache = new ExecPlanCache();
    cache.remember('a', ID, { ...quick, mode: 'persistent' });
    cache.remember('a', `${ID}-w`, { ...quick, runtime: 'wasi' });
    expect(cache.size).toBe(0);
  });

  it('forgets one sandbox, or every sandbox of one namespace only', () => {
    const cache = new ExecPlanCache();
    cache.remember('a', ID, quick);
    cache.remember('a', `${ID}-2`, quick);
    cache.remember('ab', ID, quick);
    cache.forget('a', `${ID}-2`);
    expect(cache.get('a', `${ID}-2`)).toBeUndefined();
    cache.forgetNamespace('a');
    expect(cache.get('a', ID)).toBeUndefined();
    expect(cache.get('ab', ID)).toBe(quick);
  });

  it('is bounded: the least recently used entry goes first', () => {
    const cache = new ExecPlanCache();
    for (let i = 0; i < 4096; i++) cache.remember('a', `id-${i}`, quick);
    expect(cache.get('a', 'id-0')).toBe(quick); // now the most recently used
    cache.remember('a', 'one-more', quick);
    expect(cache.size).toBe(4096);
    expect(cache.get('a', 'id-1')).toBeUndefined();
    expect(cache.get('a', 'id-0')).toBe(quick);
  });
});

describe('ExecPlanCache, a plan kept at creation', () => {
  it('is not served until a start committed here, then it is', () => {
    const cache = new ExecPlanCache();
    cache.remember('a', ID, quick, false);
    expect(cache.get('a', ID)).toBeUndefined();
    cache.started('b', ID);
    expect(cache.get('a', ID)).toBeUndefined();
    cache.started('a', ID);
    expect(cache.get('a', ID)).toBe(quick);
  });

  it('a stop forgets it; a later start does not bring it back', () => {
    const cache = new ExecPlanCache();
    cache.remember('a', ID, quick, false);
    cache.started('a', ID);
    cache.forget('a', ID);
    cache.started('a', ID);
    expect(cache.get('a', ID)).toBeUndefined();
  });
});
