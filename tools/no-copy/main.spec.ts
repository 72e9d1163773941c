import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FingerprintIndex } from './scan/fingerprint-index';

const ROOT = join(__dirname, '../..');
const run = (...args: string[]) =>
  spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', join(__dirname, 'main.ts'), ...args], { cwd: ROOT, encoding: 'utf8' });

describe('npm run no-copy (the command line)', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'no-copy-cli-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('index writes a corpus of a checkout that the scan can load', () => {
    const out = join(dir, 'upstream.json');
    const result = run('index', join(__dirname, 'fixtures/upstream-repo'), '--name', 'example/upstream@1111111', '--out', out);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('index: 2 files');
    const corpus = FingerprintIndex.parse(readFileSync(out, 'utf8'), out);
    expect(corpus.name).toBe('example/upstream@1111111');
    expect(corpus.size).toBeGreaterThan(0);
  }, 30_000);

  it('refuses an index without a name and an unknown command', () => {
    expect(run('index', join(__dirname, 'fixtures/upstream-repo')).status).toBe(2);
    const unknown = run('frobnicate');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown command');
  }, 30_000);
});
