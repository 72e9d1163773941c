import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Database } from '@cave/event-store';
import { ApiKeyView, apiKeysReadModel } from '../../projections/api-keys.read-model';
import { ListKeysQuery } from './list-keys.query';

@QueryHandler(ListKeysQuery)
export class ListKeysHandler implements IQueryHandler<ListKeysQuery, ApiKeyView[]> {
  constructor(private readonly db: Database) {}

  async execute(q: ListKeysQuery): Promise<ApiKeyView[]> {
    const filter = { namespace: q.namespace };
    if (q.principal.role === 'admin') return this.db.asAdmin((c) => apiKeysReadModel.list(c, filter));
    // RLS scopes the member to its namespace; a filter naming another one simply matches nothing.
    return this.db.tenant(q.principal.namespace, (c) => apiKeysReadModel.list(c, filter));
  }
}
