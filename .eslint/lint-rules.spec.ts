import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** ESLint loads its flat config with import(), which jest's VM does not allow: run the real CLI. */
function lint(fixture: string): { rules: string[]; status: number | null } {
  const root = join(__dirname, '..');
  const run = spawnSync(join(root, 'node_modules/.bin/eslint'), ['--no-ignore', '--format', 'json', join(__dirname, fixture)], { cwd: root, encoding: 'utf8' });
  const [result] = JSON.parse(run.stdout) as { messages: { ruleId: string }[] }[];
  return { rules: result.messages.map((m) => m.ruleId).sort(), status: run.status };
}

describe('architecture lint rules', () => {
  it('flag a deep import across libraries and a framework import in domain/', () => {
    expect(lint('fixtures/libs/sandbox/src/domain/violation.ts')).toEqual({ rules: ['cave/context-boundaries', 'cave/pure-domain'], status: 1 });
  }, 60_000);

  it('flag a technical lib that imports a bounded context (by alias, by relative path, by re-export)', () => {
    expect(lint('fixtures/libs/realtime/src/violation.ts')).toEqual({
      rules: ['cave/context-boundaries', 'cave/technical-layer', 'cave/technical-layer', 'cave/technical-layer'],
      status: 1,
    });
  }, 60_000);

  it("flag a context index that exports an internal file, and any `export *` (the module and contracts/ pass)", () => {
    expect(lint('fixtures/libs/webhooks/src/index.ts')).toEqual({ rules: ['cave/context-surface', 'cave/context-surface'], status: 1 });
  }, 60_000);
});
