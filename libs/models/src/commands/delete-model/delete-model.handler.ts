import { Inject, Logger } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { BLOB_STORE, BlobStore } from '@cave/storage';
import { MODEL_DELETED } from '../../contracts/models.events';
import { ModelFiles } from '../../registry/model-files';
import { ModelStreams } from '../../registry/model-streams';
import { artifactLocation, MODELS_ACTOR } from '../../registry/package-intake';
import { DeleteModelCommand } from './delete-model.command';

/** `model_deleted` closes every activation; then the stored artifact and the local copy go. */
@CommandHandler(DeleteModelCommand)
export class DeleteModelHandler implements ICommandHandler<DeleteModelCommand> {
  private readonly logger = new Logger('Models');

  constructor(
    private readonly streams: ModelStreams,
    private readonly files: ModelFiles,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
  ) {}

  async execute(cmd: DeleteModelCommand): Promise<void> {
    const { events } = await this.streams.model(cmd.modelId, { type: 'delete_model', data: { modelId: cmd.modelId, now: new Date() } }, cmd.meta);
    if (!events.some((e) => e.type === MODEL_DELETED)) return;
    const at = artifactLocation(cmd.modelId);
    await this.files.forget(cmd.modelId);
    // The event is the decision; a blob left behind by a crash here is an object the sweeper's owner can delete.
    await this.blobs.delete(at.namespace, at.bucket, at.key, MODELS_ACTOR).catch((e: Error) => this.logger.warn(`artifact of deleted model ${cmd.modelId} not removed: ${e.message}`));
  }
}
