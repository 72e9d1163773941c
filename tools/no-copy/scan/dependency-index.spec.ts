import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDependencyIndex } from './dependency-index';

describe('dependency index cache', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'no-copy-deps-'));
    mkdirSync(join(root, 'node_modules/pkg/lib'), { recursive: true });
    mkdirSync(join(root, 'node_modules/other'), { recursive: true });
    const body = 'function area(w, h) { if (w < 0 || h < 0) throw new Error("negative"); return w * h + helper(w, h, 2) - offset; }\nmodule.exports = { area };\n';
    writeFileSync(join(root, 'node_modules/pkg/lib/index.js'), body);
    writeFileSync(join(root, 'node_modules/other/copy.js'), body);
    writeFileSync(join(root, 'node_modules/pkg/index.d.ts'), 'export declare function area(w: number, h: number): number;');
    writeFileSync(join(root, 'package-lock.json'), '{"lockfileVersion":3}');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('indexes implementation files once per content, then reads the cache until the lockfile changes', () => {
    const cacheDir = join(root, '.cache/no-copy');
    const first = loadDependencyIndex(root, cacheDir);
    expect(first.cached).toBe(false);
    expect(first.index.files).toEqual(['node_modules/other/copy.js']);
    const second = loadDependencyIndex(root, cacheDir);
    expect(second).toMatchObject({ cached: true, cacheFile: first.cacheFile });
    expect(second.index.size).toBe(first.index.size);
    expect(second.index.hash(0)).toBe(first.index.hash(0));

    writeFileSync(join(root, 'package-lock.json'), '{"lockfileVersion":3,"packages":{}}');
    const third = loadDependencyIndex(root, cacheDir);
    expect(third.cached).toBe(false);
    expect(readdirSync(cacheDir)).toEqual([third.cacheFile.split('/').pop()]);
  });

  it('rebuilds a damaged cache instead of failing', () => {
    const cacheDir = join(root, '.cache/no-copy');
    const { cacheFile } = loadDependencyIndex(root, cacheDir);
    writeFileSync(cacheFile, '{"format":"cave-no-copy-fing');
    expect(loadDependencyIndex(root, cacheDir).cached).toBe(false);
    expect(loadDependencyIndex(root, cacheDir).cached).toBe(true);
  });
});
