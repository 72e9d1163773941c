import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Database } from '@cave/event-store';
import { ApiKeyNotFoundError } from '../../domain/api-key.errors';
import { ApiKeyView, apiKeysReadModel } from '../../projections/api-keys.read-model';
import { GetKeyQuery } from './get-key.query';

@QueryHandler(GetKeyQuery)
export class GetKeyHandler implements IQueryHandler<GetKeyQuery, ApiKeyView> {
  constructor(private readonly db: Database) {}

  async execute(q: GetKeyQuery): Promise<ApiKeyView> {
    const get = (c: Parameters<typeof apiKeysReadModel.get>[0]) => apiKeysReadModel.get(c, q.keyId);
    const view = q.principal.role === 'admin' ? await this.db.asAdmin(get) : await this.db.tenant(q.principal.namespace, get);
    // Another tenant's key and a guessed id look the same: 404.
    if (!view) throw new ApiKeyNotFoundError(q.keyId);
    return view;
  }
}
