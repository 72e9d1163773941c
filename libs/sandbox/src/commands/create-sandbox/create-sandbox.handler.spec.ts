import type { CommandInput, CommandRunner, Database } from '@cave/event-store';
import type { CommandMeta } from '@cave/kernel';
import { SandboxCommand } from '../../domain/sandbox.commands';
import { sandboxStreamId } from '../../contracts/sandbox.events';
import { CreateSandboxCommand } from './create-sandbox.command';
import { CreateSandboxHandler } from './create-sandbox.handler';
import { newSandboxId } from './sandbox-id';

describe('CreateSandboxHandler', () => {
  const calls: [string, SandboxCommand, CommandMeta][] = [];
  const runner = {
    run: async (_: unknown, input: CommandInput<SandboxCommand, unknown, unknown>) => {
      const { command } = input;
      const id = command.type === 'create' ? command.data.sandboxId : command.sandboxId;
      expect(input.streamId).toBe(sandboxStreamId(id));
      expect(input.newStream).toBe(true);
      calls.push([id, command, input.meta]);
      return { state: { status: 'absent' }, events: [{ type: 'sandbox_created', data: {} }], projected: {} };
    },
  } as unknown as CommandRunner;
  const handler = new CreateSandboxHandler(runner, {} as Database);
  const meta: CommandMeta = { namespace: 'ns', actor: 'key-1', role: 'member', correlationId: 'r', channel: 'http' };
  beforeEach(() => (calls.length = 0));

  it('fills in default limits and empty labels', async () => {
    await handler.execute(new CreateSandboxCommand({ name: 'n', runtime: 'wasi', mode: 'quick', limits: { timeoutMs: 10 } }, meta));
    const [id, command] = calls[0];
    expect(command).toEqual({
      type: 'create',
      data: { sandboxId: id, name: 'n', runtime: 'wasi', mode: 'quick', limits: { memoryMb: 64, timeoutMs: 10, maxOutputBytes: 65536 }, labels: {} },
    });
  });

  it('uses a fresh random id without an idempotency key, a stable one per (namespace, key) with one', async () => {
    const input = { name: 'n', runtime: 'wasi' as const, mode: 'quick' as const };
    await handler.execute(new CreateSandboxCommand(input, meta));
    await handler.execute(new CreateSandboxCommand(input, meta));
    expect(calls[0][0]).not.toBe(calls[1][0]);
    await handler.execute(new CreateSandboxCommand(input, { ...meta, idempotencyKey: 'k' }));
    await handler.execute(new CreateSandboxCommand(input, { ...meta, idempotencyKey: 'k' }));
    expect(calls[2][0]).toBe(calls[3][0]);
    expect(calls[2][0]).toBe(newSandboxId('ns', 'k'));
    expect(newSandboxId('other', 'k')).not.toBe(newSandboxId('ns', 'k'));
    expect(calls[2][0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
