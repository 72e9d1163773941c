import { Inject, Injectable, Logger } from '@nestjs/common';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Database } from '@cave/event-store';
import { CommandMeta, DomainError, systemCommandMeta } from '@cave/kernel';
import { BLOB_STORE, BlobStore } from '@cave/storage';
import { MODELS_NAMESPACE } from '../contracts/models.events';
import { ArtifactMissingError, ModelNotFoundError } from '../domain/models.errors';
import { ChunkVerifier } from '../package/chunk-verifier';
import { ModelRecord, modelsReadModel } from '../read-models/models.read-model';
import { ModelFiles } from './model-files';
import { ModelStreams } from './model-streams';
import { failureOf, MODELS_ACTOR } from './package-intake';
import { PublisherTrust } from './publisher-trust';

/** Re-checks of registered models, shared by the verify route and the ports. */
@Injectable()
export class ModelChecks {
  private readonly logger = new Logger('Models');

  constructor(
    private readonly db: Database,
    private readonly streams: ModelStreams,
    private readonly trust: PublisherTrust,
    private readonly files: ModelFiles,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
  ) {}

  async record(modelId: string): Promise<ModelRecord> {
    const r = await this.db.asAdmin((c) => modelsReadModel.get(c, modelId));
    if (!r) throw new ModelNotFoundError(modelId);
    return r;
  }

  /**
   * Re-hashes every chunk of the stored artifact and checks publisher trust and signature again (a revoked
   * publisher's models fail here). Records `model_verified` or `model_verification_failed`; I/O errors that are
   * not a verdict on the bytes propagate without an event.
   */
  async verify(modelId: string, meta: CommandMeta): Promise<ModelRecord> {
    const record = await this.record(modelId);
    let failure: DomainError | undefined;
    try {
      await this.trust.check(record.signed);
      const object = await this.blobs.get(record.storage.namespace, record.storage.bucket, record.storage.key);
      if (!object) throw new ArtifactMissingError(modelId);
      await pipeline(object.body, new ChunkVerifier(record.signed.manifest), new Writable({ write: (_c, _e, cb) => cb() }));
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      failure = e;
    }
    await this.recordVerdict(modelId, failure, meta);
    return this.record(modelId);
  }

  /** Records the verdict of a check; a failure also drops the local copy. */
  async recordVerdict(modelId: string, failure: DomainError | undefined, meta: CommandMeta = systemCommandMeta(MODELS_ACTOR, MODELS_NAMESPACE)): Promise<void> {
    const now = new Date();
    const command = failure ? { type: 'record_verification' as const, data: { modelId, now, ok: false as const, ...failureOf(failure) } } : { type: 'record_verification' as const, data: { modelId, now, ok: true as const } };
    await this.streams.model(modelId, command, meta);
    if (failure) {
      this.logger.warn(`model ${modelId} failed verification: ${failure.code}`);
      await this.files.forget(modelId);
    }
  }
}
