import { Query } from '@nestjs/cqrs';
import type { Principal } from '@cave/kernel';
import type { ApiKeyView } from '../../projections/api-keys.read-model';

/** Admins see every namespace (optionally one); members only their own. */
export class ListKeysQuery extends Query<ApiKeyView[]> {
  constructor(
    readonly principal: Principal,
    readonly namespace?: string,
  ) {
    super();
  }
}
