import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CommandRunner, Database } from '@cave/event-store';
import { SandboxSpec } from '../../domain/sandbox-spec';
import { sandboxStreamId } from '../../domain/sandbox.events';
import { sandboxProjection } from '../../projections/sandboxes.projection';
import { SandboxCommandResult, sandboxResult, sandboxStream } from '../sandbox.stream';
import { CreateSandboxCommand } from './create-sandbox.command';
import { newSandboxId } from './sandbox-id';

/**
 * A creation decides on the initial state and appends with `no_stream` (newStream): the append with its
 * inline projection is the whole command, one statement and one round trip.
 */
@CommandHandler(CreateSandboxCommand)
export class CreateSandboxHandler implements ICommandHandler<CreateSandboxCommand, SandboxCommandResult> {
  constructor(
    private readonly runner: CommandRunner,
    private readonly db: Database,
  ) {}

  async execute({ input, meta }: CreateSandboxCommand): Promise<SandboxCommandResult> {
    const spec = SandboxSpec.parse(input);
    const sandboxId = newSandboxId(meta.namespace, meta.idempotencyKey);
    const outcome = await this.runner.run(sandboxStream, {
      streamId: sandboxStreamId(sandboxId),
      command: { type: 'create', data: { sandboxId, ...spec } },
      meta,
      newStream: true,
      project: (event) => sandboxProjection(event, { namespace: meta.namespace, metadata: { actor: meta.actor } }),
    });
    return sandboxResult(outcome, this.db, meta.namespace, sandboxId);
  }
}
