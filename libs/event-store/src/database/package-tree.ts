import { createHash } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';

/** Where `name` is found from `fromDir`, the way Node looks it up (nearest node_modules upwards). */
export function locatePackage(name: string, fromDir: string): string | undefined {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (basename(dir) !== 'node_modules' && existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * The packages `rootDir` needs at runtime (itself, its dependencies, the optional and peer ones that
 * are installed, transitively), as paths relative to `modulesDir`. Copied to the same relative
 * places, they resolve each other exactly as they do in the checkout.
 */
export async function packageClosure(rootDir: string, modulesDir: string): Promise<string[]> {
  const found = new Map<string, string>();
  const visit = async (dir: string): Promise<void> => {
    const rel = relative(modulesDir, dir);
    if (found.has(rel)) return;
    if (rel.startsWith('..')) throw new Error(`${dir} lies outside ${modulesDir}; it cannot be copied next to it`);
    found.set(rel, dir);
    const manifest = JSON.parse(await fs.readFile(join(dir, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    const required = Object.keys(manifest.dependencies ?? {});
    const ifInstalled = Object.keys({ ...manifest.optionalDependencies, ...manifest.peerDependencies });
    for (const name of [...required, ...ifInstalled]) {
      const at = locatePackage(name, dir);
      if (at) await visit(at);
      else if (required.includes(name)) throw new Error(`${name} (a dependency of ${rel}) is not installed`);
    }
  };
  await visit(rootDir);
  return [...found.keys()].sort();
}

/**
 * One line per entry of each package (its own node_modules excluded: nested packages are entries of
 * the closure themselves): kind, size or link target, and a hash of package.json (a version bump
 * need not change its size). Two trees with equal lines hold the same packages in the same layout.
 * `links: 'follow'` reads a linked package (npm link) where it lives; a copy must hold real
 * directories. A link leaving its package would tie a copy to the checkout it came from: refused.
 */
export async function describeTree(modulesDir: string, packages: string[], links: 'follow' | 'refuse'): Promise<string[]> {
  const lines: string[] = [];
  const walk = async (rel: string, root: string, dir: string): Promise<void> => {
    const entries = (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const entry of entries) {
      const path = join(dir, entry.name);
      const name = join(rel, relative(root, path));
      if (entry.isDirectory()) {
        if (dir === root && entry.name === 'node_modules') continue;
        lines.push(`${name}\tdir`);
        await walk(rel, root, path);
      } else if (entry.isSymbolicLink()) {
        const target = await fs.readlink(path);
        if (!resolve(dir, target).startsWith(root + sep)) throw new Error(`${path} links outside its package (${target})`);
        lines.push(`${name}\tlink\t${target}`);
      } else {
        const { size } = await fs.stat(path);
        const hash = path === join(root, 'package.json') ? createHash('sha256').update(await fs.readFile(path)).digest('hex') : '';
        lines.push(`${name}\tfile\t${size}\t${hash}`);
      }
    }
  };
  for (const rel of packages) {
    let root = join(modulesDir, rel);
    const stat = await fs.lstat(root).catch(() => undefined);
    if (stat?.isSymbolicLink() && links === 'follow') root = await fs.realpath(root);
    else if (!stat?.isDirectory()) {
      lines.push(`${rel}\t${stat ? 'not a directory' : 'missing'}`);
      continue;
    }
    lines.push(`${rel}\tpackage`);
    await walk(rel, root, root);
  }
  return lines;
}
