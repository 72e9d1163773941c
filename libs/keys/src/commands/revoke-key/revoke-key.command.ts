import { Command } from '@nestjs/cqrs';
import type { CommandMeta } from '@cave/kernel';

/** Revokes a key; a no-op when it is already revoked. Members reach only their namespace. */
export class RevokeKeyCommand extends Command<void> {
  constructor(
    readonly keyId: string,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}
