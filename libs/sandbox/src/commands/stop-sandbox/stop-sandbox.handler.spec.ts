import { SandboxCommand } from '../../domain/sandbox.commands';
import { SandboxCommandMeta } from '../command-meta';
import { SandboxCommandExecutor } from '../sandbox-command.executor';
import { StopSandboxCommand } from './stop-sandbox.command';
import { StopSandboxHandler } from './stop-sandbox.handler';

describe('StopSandboxHandler', () => {
  it('asks the executor to stop that sandbox with the caller\'s metadata', async () => {
    const calls: [string, SandboxCommand, SandboxCommandMeta][] = [];
    const executor = { execute: async (id: string, c: SandboxCommand, m: SandboxCommandMeta) => (calls.push([id, c, m]), undefined) } as unknown as SandboxCommandExecutor;
    const meta = { namespace: 'ns', actor: 'key-1', correlationId: 'r', idempotencyKey: 'k', expectedVersion: 3 };
    await new StopSandboxHandler(executor).execute(new StopSandboxCommand('id-1', meta));
    expect(calls).toEqual([['id-1', { type: 'stop', sandboxId: 'id-1' }, meta]]);
  });
});
