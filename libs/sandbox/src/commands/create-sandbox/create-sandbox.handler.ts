import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Optional } from '@nestjs/common';
import { SandboxPolicyCheck } from '../../runtime-host/sandbox-policy.check';
import { SandboxRuntimeHost } from '../../runtime-host/sandbox-runtime.host';
import { CommandRunner, Database } from '@cave/event-store';
import { SandboxSpec } from '../../domain/sandbox-spec';
import { SandboxIdempotencyKeyReusedError } from '../../domain/sandbox.errors';
import { sandboxStreamId } from '../../contracts/sandbox.events';
import { SandboxView } from '../../projections/sandbox.read-model';
import { sandboxProjection } from '../../projections/sandboxes.write';
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
    // Optional so the lifecycle can be exercised without the runtime tables (unit tests); the module always provides it.
    @Optional() private readonly policy?: SandboxPolicyCheck,
    @Optional() private readonly host?: SandboxRuntimeHost,
  ) {}

  async execute({ input, meta }: CreateSandboxCommand): Promise<SandboxCommandResult> {
    const spec = SandboxSpec.parse(input);
    const sandboxId = newSandboxId(meta.namespace, meta.idempotencyKey);
    // The namespace's policy (issue 12): allowed runtime and mode, limits at or under its maxima, sandbox count.
    const checked = await this.policy?.assertAllowed(meta.namespace, { runtime: spec.runtime, mode: spec.mode, limits: spec.limits });
    const outcome = await this.runner.run(sandboxStream, {
      streamId: sandboxStreamId(sandboxId),
      command: { type: 'create', data: { sandboxId, ...spec } },
      meta,
      newStream: true,
      project: (event) => sandboxProjection(event, { namespace: meta.namespace, metadata: { actor: meta.actor } }),
    });
    const result = await sandboxResult(outcome, this.db, meta.namespace, sandboxId);
    // A replay by key must be a replay of the same request; the store's key never expires, the HTTP record does.
    if (result.replayed && !createdFrom(result.sandbox, spec)) throw new SandboxIdempotencyKeyReusedError(sandboxId);
    // The first exec after a start here then skips its plan read too (ADR 0023): nothing of this plan changes
    // without the exec's record noticing.
    const { runtime, mode, limits } = result.sandbox;
    if (checked) this.host?.plans.remember(meta.namespace, sandboxId, { runtime, mode, limits, ...checked }, false);
    return result;
  }
}

/** Whether `view` is what `spec` creates (the fields a creation sets and no later command changes). */
function createdFrom(view: SandboxView, spec: SandboxSpec): boolean {
  const sorted = (o: object) => JSON.stringify(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
  return (
    view.name === spec.name &&
    view.runtime === spec.runtime &&
    view.mode === spec.mode &&
    sorted(view.limits) === sorted(spec.limits) &&
    sorted(view.labels) === sorted(spec.labels)
  );
}
