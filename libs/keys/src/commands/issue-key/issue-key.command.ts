import { Command } from '@nestjs/cqrs';
import type { ApiKeyRole } from '../../contracts/api-key.events';
import type { CommandMetadata } from '../api-key.repository';

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
    readonly namespace: string,
    readonly name: string,
    readonly role: ApiKeyRole,
    readonly meta: CommandMetadata,
    /** Only for the configured bootstrap key; otherwise a fresh key is generated. */
    readonly presetKey?: string,
  ) {
    super();
  }
}
