import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Database, EventStore, runCommand } from '@cave/event-store';
import { OBJECT_STREAM_TYPE, ObjectEvent } from '../../contracts/storage.events';
import { assertBucketName, assertObjectKey } from '../../domain/names';
import { objectDecider } from '../../domain/object.decider';
import { objectStreamId } from '../../domain/streams';
import { objectProjection } from '../../projections/storage.projection';
import { appendOptions, asDomainEvent } from '../storage-meta';
import { DeleteObjectCommand } from './delete-object.command';

/**
 * Appends `object_deleted` and removes the row. The bytes stay until the sweeper finds them unreferenced after
 * the grace period: with content addressing another object may share them.
 */
@CommandHandler(DeleteObjectCommand)
export class DeleteObjectHandler implements ICommandHandler<DeleteObjectCommand, void> {
  constructor(
    private readonly db: Database,
    private readonly store: EventStore,
  ) {}

  async execute({ bucket, key, preconditions, meta }: DeleteObjectCommand): Promise<void> {
    assertBucketName(bucket);
    assertObjectKey(key);
    await this.db.tenant(meta.namespace, (client) =>
      runCommand(
        this.store,
        objectDecider,
        {
          streamId: objectStreamId(meta.namespace, bucket, key),
          command: { type: 'delete', bucket, key, preconditions },
          append: appendOptions(meta, OBJECT_STREAM_TYPE, client),
          project: (event) => objectProjection(event, { namespace: meta.namespace, actor: meta.actor }),
        },
        asDomainEvent<ObjectEvent>,
      ),
    );
  }
}
