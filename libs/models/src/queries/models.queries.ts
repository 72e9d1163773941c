import { Query } from '@nestjs/cqrs';
import type { ModelStatus } from '../domain/model.decider';
import type { ModelRecord } from '../read-models/models.read-model';
import type { PublisherView } from '../read-models/publishers.read-model';

export class ListModelsQuery extends Query<ModelRecord[]> {
  constructor(readonly filter: { status?: ModelStatus; name?: string }) {
    super();
  }
}

export class GetModelQuery extends Query<ModelRecord> {
  constructor(readonly modelId: string) {
    super();
  }
}

export class ListPublishersQuery extends Query<PublisherView[]> {}

export class GetPublisherQuery extends Query<PublisherView> {
  constructor(readonly publisherId: string) {
    super();
  }
}
