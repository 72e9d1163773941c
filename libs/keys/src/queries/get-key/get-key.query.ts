import { Query } from '@nestjs/cqrs';
import type { Principal } from '@cave/kernel';
import type { ApiKeyView } from '../../projections/api-keys.read-model';

export class GetKeyQuery extends Query<ApiKeyView> {
  constructor(
    readonly principal: Principal,
    readonly keyId: string,
  ) {
    super();
  }
}
