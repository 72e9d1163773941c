import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Database } from '@cave/event-store';
import { PublisherNotFoundError } from '../domain/models.errors';
import { ModelRecord, modelsReadModel } from '../read-models/models.read-model';
import { PublisherView, publishersReadModel } from '../read-models/publishers.read-model';
import { ModelChecks } from '../registry/registry.service';
import { GetModelQuery, GetPublisherQuery, ListModelsQuery, ListPublishersQuery } from './models.queries';

/** Registry reads: admin state, read as cave_admin (the routes are admin-only). */
@QueryHandler(ListModelsQuery)
export class ListModelsHandler implements IQueryHandler<ListModelsQuery> {
  constructor(private readonly db: Database) {}
  execute(q: ListModelsQuery): Promise<ModelRecord[]> {
    return this.db.asAdmin((c) => modelsReadModel.list(c, q.filter));
  }
}

@QueryHandler(GetModelQuery)
export class GetModelHandler implements IQueryHandler<GetModelQuery> {
  constructor(private readonly checks: ModelChecks) {}
  execute(q: GetModelQuery): Promise<ModelRecord> {
    return this.checks.record(q.modelId);
  }
}

@QueryHandler(ListPublishersQuery)
export class ListPublishersHandler implements IQueryHandler<ListPublishersQuery> {
  constructor(private readonly db: Database) {}
  execute(): Promise<PublisherView[]> {
    return this.db.asAdmin((c) => publishersReadModel.list(c));
  }
}

@QueryHandler(GetPublisherQuery)
export class GetPublisherHandler implements IQueryHandler<GetPublisherQuery> {
  constructor(private readonly db: Database) {}
  async execute(q: GetPublisherQuery): Promise<PublisherView> {
    const p = await this.db.asAdmin((c) => publishersReadModel.get(c, q.publisherId));
    if (!p) throw new PublisherNotFoundError(q.publisherId);
    return p;
  }
}
