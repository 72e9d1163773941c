import { Command } from '@nestjs/cqrs';
import type { CommandMeta } from '@cave/kernel';
import type { SandboxTransition } from '../../domain/sandbox.lifecycle';
import type { SandboxCommandResult } from '../sandbox.stream';

/** Start, stop or delete: every lifecycle transition is this one command (the lifecycle table decides). */
export class TransitionSandboxCommand extends Command<SandboxCommandResult> {
  constructor(
    readonly sandboxId: string,
    readonly action: SandboxTransition,
    readonly meta: CommandMeta,
    /** Stream version from If-Match; a stale one fails with 412. */
    readonly expectedVersion?: number,
  ) {
    super();
  }
}
