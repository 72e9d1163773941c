import type { CommandInput, CommandRunner, Database } from '@cave/event-store';
import type { CommandMeta } from '@cave/kernel';
import { SandboxCommand } from '../../domain/sandbox.commands';
import { sandboxStreamId } from '../../contracts/sandbox.events';
import { TransitionSandboxCommand } from './transition-sandbox.command';
import { TransitionSandboxHandler } from './transition-sandbox.handler';

describe('TransitionSandboxHandler', () => {
  it.each(['start', 'stop', 'delete'] as const)("asks the runner to %s that sandbox with the caller's metadata", async (action) => {
    const calls: [string, SandboxCommand, CommandMeta, number | undefined][] = [];
    const runner = {
      run: async (_: unknown, input: CommandInput<SandboxCommand, unknown, unknown>) => {
        calls.push([input.streamId, input.command, input.meta, input.expectedVersion]);
        return { state: { status: 'absent' }, events: [], projected: {} };
      },
    } as unknown as CommandRunner;
    const meta: CommandMeta = { namespace: 'ns', actor: 'key-1', role: 'member', correlationId: 'r', channel: 'http', idempotencyKey: 'k' };
    await new TransitionSandboxHandler(runner, {} as Database).execute(new TransitionSandboxCommand('id-1', action, meta, 3));
    expect(calls).toEqual([[sandboxStreamId('id-1'), { type: action, sandboxId: 'id-1' }, meta, 3]]);
  });
});
