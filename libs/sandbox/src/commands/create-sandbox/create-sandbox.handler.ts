import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { withDefaultLimits } from '../../domain/sandbox-limits';
import { SandboxIdempotencyKeyReusedError } from '../../domain/sandbox.errors';
import { SandboxCreatedData } from '../../domain/sandbox.events';
import { SandboxView } from '../../projections/sandbox.read-model';
import { SandboxCommandResult } from '../command-meta';
import { SandboxCommandExecutor } from '../sandbox-command.executor';
import { CreateSandboxCommand } from './create-sandbox.command';
import { newSandboxId } from './sandbox-id';

@CommandHandler(CreateSandboxCommand)
export class CreateSandboxHandler implements ICommandHandler<CreateSandboxCommand, SandboxCommandResult> {
  constructor(private readonly executor: SandboxCommandExecutor) {}

  async execute({ input, meta }: CreateSandboxCommand): Promise<SandboxCommandResult> {
    const sandboxId = newSandboxId(meta.namespace, meta.idempotencyKey);
    const data = { sandboxId, name: input.name, runtime: input.runtime, mode: input.mode, limits: withDefaultLimits(input.limits), labels: input.labels ?? {} };
    const result = await this.executor.execute(sandboxId, { type: 'create', data }, meta);
    // A replay by key must be a replay of the same request; the store's key never expires, the HTTP record does.
    if (result.replayed && !createdFrom(result.sandbox, data)) throw new SandboxIdempotencyKeyReusedError(sandboxId);
    return result;
  }
}

/** Whether `view` is what `data` creates (the fields a creation sets and no later command changes). */
function createdFrom(view: SandboxView, data: SandboxCreatedData): boolean {
  const sorted = (o: object) => JSON.stringify(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
  return (
    view.name === data.name &&
    view.runtime === data.runtime &&
    view.mode === data.mode &&
    sorted(view.limits) === sorted(data.limits) &&
    sorted(view.labels) === sorted(data.labels)
  );
}
