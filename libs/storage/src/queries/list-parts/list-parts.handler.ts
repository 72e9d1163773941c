import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Database, EventStore } from '@cave/event-store';
import { UploadNotFoundError } from '../../domain/storage.errors';
import type { PartView } from '../../commands/upload-part/upload-part.command';
import { loadUpload, UUID } from '../../commands/upload-stream';
import { ListPartsQuery } from './list-parts.query';

export interface UploadPartsView {
  uploadId: string;
  key: string;
  status: 'open' | 'completed' | 'aborted';
  parts: PartView[];
}

/** The upload folded from its own stream: parts in part-number order, the latest upload of each number. */
@QueryHandler(ListPartsQuery)
export class ListPartsHandler implements IQueryHandler<ListPartsQuery, UploadPartsView> {
  constructor(
    private readonly db: Database,
    private readonly store: EventStore,
  ) {}

  async execute({ namespace, bucket, uploadId }: ListPartsQuery): Promise<UploadPartsView> {
    if (!UUID.test(uploadId)) throw new UploadNotFoundError(uploadId);
    const upload = await this.db.tenant(namespace, (c) => loadUpload(this.store, c, namespace, bucket, uploadId));
    const parts = [...upload.parts.values()].sort((a, b) => a.partNumber - b.partNumber).map(({ partNumber, size, sha256 }) => ({ partNumber, size, sha256 }));
    return { uploadId, key: upload.key, status: upload.status, parts };
  }
}
