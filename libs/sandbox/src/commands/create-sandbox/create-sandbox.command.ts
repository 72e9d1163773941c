import { Command } from '@nestjs/cqrs';
import type { CommandMeta } from '@cave/kernel';
import type { SandboxCommandResult } from '../sandbox.stream';

/** `input` is whatever the edge received; SandboxSpec decides what of it is acceptable. */
export class CreateSandboxCommand extends Command<SandboxCommandResult> {
  constructor(
    readonly input: unknown,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}
