import { execFileSync } from 'node:child_process';

/** Thin wrapper over the git CLI for the checks that need history; every call is one process. */
export class Git {
  constructor(private readonly cwd: string) {}

  run(args: string[], input?: string): string {
    return execFileSync('git', args, { cwd: this.cwd, input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['pipe', 'pipe', 'pipe'] });
  }

  /** False outside a work tree or without git: callers then skip history checks with a warning. */
  available(): boolean {
    try {
      return this.run(['rev-parse', '--is-inside-work-tree']).trim() === 'true';
    } catch {
      return false;
    }
  }

  /** A shallow clone lacks old commits, so a missing hash there is not proof of a wrong one. */
  shallow(): boolean {
    return this.run(['rev-parse', '--is-shallow-repository']).trim() === 'true';
  }

  /** The subset of `hashes` that name a commit (one `cat-file --batch-check` for all of them). */
  existingCommits(hashes: string[]): Set<string> {
    if (hashes.length === 0) return new Set();
    const out = this.run(['cat-file', '--batch-check=%(objecttype)'], hashes.map((h) => `${h}^{commit}`).join('\n') + '\n');
    const answers = out.trimEnd().split('\n');
    return new Set(hashes.filter((_, i) => answers[i] === 'commit'));
  }

  /** Files tracked or untracked-but-not-ignored, relative to the work tree. */
  listFiles(): string[] {
    return this.run(['ls-files', '-z', '--cached', '--others', '--exclude-standard']).split('\0').filter(Boolean);
  }
}
