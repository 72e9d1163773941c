import { SandboxCommand } from '../../domain/sandbox.commands';
import { SandboxCommandMeta } from '../command-meta';
import { SandboxCommandExecutor } from '../sandbox-command.executor';
import { DeleteSandboxCommand } from './delete-sandbox.command';
import { DeleteSandboxHandler } from './delete-sandbox.handler';

describe('DeleteSandboxHandler', () => {
  it('asks the executor to delete that sandbox with the caller\'s metadata', async () => {
    const calls: [string, SandboxCommand, SandboxCommandMeta][] = [];
    const executor = { execute: async (id: string, c: SandboxCommand, m: SandboxCommandMeta) => (calls.push([id, c, m]), undefined) } as unknown as SandboxCommandExecutor;
    const meta = { namespace: 'ns', actor: 'key-1', correlationId: 'r', idempotencyKey: 'k', expectedVersion: 3 };
    await new DeleteSandboxHandler(executor).execute(new DeleteSandboxCommand('id-1', meta));
    expect(calls).toEqual([['id-1', { type: 'delete', sandboxId: 'id-1' }, meta]]);
  });
});
