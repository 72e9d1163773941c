import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

describe('architecture lint rules', () => {
  it('flag a deep import across libraries and a framework import in domain/', () => {
    // ESLint loads its flat config with import(), which jest's VM does not allow: run the real CLI.
    const root = join(__dirname, '..');
    const fixture = join(__dirname, 'fixtures/libs/sandbox/src/domain/violation.ts');
    const run = spawnSync(join(root, 'node_modules/.bin/eslint'), ['--no-ignore', '--format', 'json', fixture], { cwd: root, encoding: 'utf8' });
    const [result] = JSON.parse(run.stdout) as { messages: { ruleId: string }[] }[];
    expect(result.messages.map((m) => m.ruleId).sort()).toEqual(['cave/context-boundaries', 'cave/pure-domain']);
    expect(run.status).toBe(1);
  }, 60_000);
});
