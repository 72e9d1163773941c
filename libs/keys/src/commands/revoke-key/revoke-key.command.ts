import { Command } from '@nestjs/cqrs';
import type { Principal } from '@cave/kernel';
import type { CommandMetadata } from '../api-key.repository';

/** Revokes a key; a no-op when it is already revoked. Members reach only their namespace. */
export class RevokeKeyCommand extends Command<void> {
  constructor(
    readonly keyId: string,
    readonly principal: Principal,
    readonly meta: CommandMetadata,
  ) {
    super();
  }
}
