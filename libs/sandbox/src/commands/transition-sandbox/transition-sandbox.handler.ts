import { Optional } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CommandRunner, Database } from '@cave/event-store';
import { sandboxStreamId } from '../../contracts/sandbox.events';
import { sandboxProjection } from '../../projections/sandboxes.write';
import { SandboxCommandResult, sandboxResult, sandboxStream } from '../sandbox.stream';
import { SandboxLifecycleListener } from '../../runtime-host/sandbox-lifecycle.listener';
import { TransitionSandboxCommand } from './transition-sandbox.command';

/** Reads the stream and appends (with the inline projection) in one tenant transaction. */
@CommandHandler(TransitionSandboxCommand)
export class TransitionSandboxHandler implements ICommandHandler<TransitionSandboxCommand, SandboxCommandResult> {
  constructor(
    private readonly runner: CommandRunner,
    private readonly db: Database,
    // Ends running execs on stop/delete; optional so the lifecycle runs without the runtimes (unit tests).
    @Optional() private readonly runtimes?: SandboxLifecycleListener,
  ) {}

  async execute({ sandboxId, action, meta, expectedVersion }: TransitionSandboxCommand): Promise<SandboxCommandResult> {
    const outcome = await this.runner.run(sandboxStream, {
      streamId: sandboxStreamId(sandboxId),
      command: { type: action, sandboxId },
      meta,
      expectedVersion,
      project: (event) => sandboxProjection(event, { namespace: meta.namespace, metadata: { actor: meta.actor } }),
    });
    if ((action === 'stop' || action === 'delete') && outcome.events.length > 0) await this.runtimes?.ended(meta.namespace, sandboxId, action);
    if (action === 'start' && outcome.events.length > 0) this.runtimes?.started(meta.namespace, sandboxId);
    return sandboxResult(outcome, this.db, meta.namespace, sandboxId);
  }
}
