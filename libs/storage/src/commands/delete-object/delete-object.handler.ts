import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Database, EventStore, CommandRunner } from '@cave/event-store';
import { assertBucketName, assertObjectKey } from '../../domain/names';
import { objectStreamId } from '../../domain/streams';
import { objectProjection } from '../../projections/storage.write';
import { OBJECT_STREAM } from '../storage-meta';
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
    private readonly runner: CommandRunner,
  ) {}

  async execute({ bucket, key, preconditions, meta }: DeleteObjectCommand): Promise<void> {
    assertBucketName(bucket);
    assertObjectKey(key);
    await this.db.tenant(meta.namespace, (client) =>
      this.runner.run(OBJECT_STREAM, {
          streamId: objectStreamId(meta.namespace, bucket, key),
          command: { type: 'delete', bucket, key, preconditions },
          meta: meta,
          client,
          project: (event) => objectProjection(event, { namespace: meta.namespace, actor: meta.actor }),
        }),
    );
  }
}
