import { Command } from '@nestjs/cqrs';
import type { ApiKeyRole } from '../../contracts/api-key.events';
import type { CommandMeta } from '@cave/kernel';

/** The one response that ever carries the key in clear. */
export interface IssuedKey {
  id: string;
  key: string;
  prefix: string;
  namespace: string;
  name: string;
  role: ApiKeyRole;
  createdAt: string;
}

export class IssueKeyCommand extends Command<IssuedKey> {
  constructor(
    /** The namespace the new key belongs to (not necessarily the issuing admin's). */
    readonly namespace: string,
    readonly name: string,
    readonly role: ApiKeyRole,
    readonly meta: CommandMeta,
    /** Only for the configured bootstrap key; otherwise a fresh key is generated. */
    readonly presetKey?: string,
  ) {
    super();
  }
}
