import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Readable } from 'node:stream';
import { Database } from '@cave/event-store';
import { CommandMeta, DomainError } from '@cave/kernel';
import { BLOB_STORE, BlobStore } from '@cave/storage';
import type { SignedManifest } from '../contracts/model-package';
import { MODELS_NAMESPACE, ModelRegisteredData, ModelStorageLocation } from '../contracts/models.events';
import { ModelManifestConflictError, ModelVersionTakenError } from '../domain/models.errors';
import { manifestSigningBytes } from '../domain/manifest.rules';
import { BkgHeaderReader } from '../package/bkg-reader';
import { ChunkVerifier } from '../package/chunk-verifier';
import { ModelRecord, modelsReadModel } from '../read-models/models.read-model';
import { ModelStreams } from './model-streams';
import { PublisherTrust } from './publisher-trust';

/** The storage bucket (in the `system` namespace) that holds every registered artifact, header stripped. */
export const MODELS_BUCKET = 'cave-models';
export const MODELS_ACTOR = 'system:models';

export function artifactLocation(sha256: string): ModelStorageLocation {
  return { namespace: MODELS_NAMESPACE, bucket: MODELS_BUCKET, key: `artifacts/${sha256}` };
}

const isUniqueViolation = (e: unknown, constraint: string) =>
  typeof e === 'object' && e !== null && (e as { code?: string }).code === '23505' && (e as { constraint?: string }).constraint === constraint;

/**
 * The one way bytes become a registered model (an upload, a storage import, a peer's assembled file):
 * header checks before any byte is stored, every chunk and the whole hashed on the way into storage, and only
 * then `model_registered` + `model_verified`. A refused package leaves no object and no event.
 */
@Injectable()
export class PackageIntake {
  private readonly logger = new Logger('Models');
  private bucketReady = false;

  constructor(
    private readonly db: Database,
    private readonly streams: ModelStreams,
    private readonly trust: PublisherTrust,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
  ) {}

  /** A `.bkg` byte stream (header + artifact). */
  async fromPackage(source: Readable, origin: ModelRegisteredData['source'], meta: CommandMeta): Promise<ModelRecord> {
    let accepted!: (s: SignedManifest) => void;
    let failure: Error | undefined;
    const reader = new BkgHeaderReader(
      async (signed) => {
        await this.admit(signed);
        accepted(signed);
      },
      { verifyChunks: true },
    );
    const header = new Promise<SignedManifest>((resolve, reject) => {
      accepted = resolve;
      reader.on('error', (e) => {
        failure ??= e;
        reject(e);
      });
    });
    header.catch(() => undefined);
    // A client that goes away mid-upload ends the reader with its error, never with a clean end.
    source.on('error', (e) => reader.destroy(e));
    source.on('aborted', () => reader.destroy(new Error('the upload was aborted')));
    source.pipe(reader);
    let signed: SignedManifest;
    try {
      signed = await header;
    } finally {
      // Stop reading a refused upload: nothing more of it is needed.
      if (failure) source.unpipe(reader);
    }
    await this.store(signed, reader, () => failure, meta);
    return this.record(signed, origin, meta);
  }

  /** An artifact file (no header) assembled elsewhere, with its signed manifest. */
  async fromArtifact(signed: SignedManifest, artifact: Readable, origin: ModelRegisteredData['source'], meta: CommandMeta): Promise<ModelRecord> {
    await this.admit(signed);
    const verifier = new ChunkVerifier(signed.manifest);
    let failure: Error | undefined;
    verifier.on('error', (e) => (failure ??= e));
    artifact.on('error', (e) => verifier.destroy(e));
    artifact.pipe(verifier);
    await this.store(signed, verifier, () => failure, meta);
    return this.record(signed, origin, meta);
  }

  /** Trust, signature, and the conflicts worth refusing before a byte is uploaded (or fetched from a peer). */
  async admit(signed: SignedManifest): Promise<void> {
    await this.trust.check(signed);
    const m = signed.manifest;
    const [sameVersion, sameArtifact] = await this.db.asAdmin((c) => Promise.all([modelsReadModel.byNameVersion(c, m.name, m.version), modelsReadModel.get(c, m.sha256)]));
    if (sameVersion && sameVersion.modelId !== m.sha256) throw new ModelVersionTakenError(m.name, m.version, sameVersion.modelId);
    if (sameArtifact && !manifestSigningBytes(sameArtifact.signed.manifest).equals(manifestSigningBytes(m))) throw new ModelManifestConflictError(m.sha256);
  }

  private async store(signed: SignedManifest, body: Readable, failure: () => Error | undefined, meta: CommandMeta): Promise<void> {
    const at = artifactLocation(signed.manifest.sha256);
    if (!this.bucketReady) {
      await this.blobs.ensureBucket(at.namespace, at.bucket, MODELS_ACTOR);
      this.bucketReady = true;
    }
    try {
      await this.blobs.put(at.namespace, at.bucket, at.key, body, { actor: meta.actor, size: signed.manifest.sizeBytes, contentType: 'application/octet-stream' });
    } catch (e) {
      // The storage context sees a destroyed body as an aborted upload; the package check knows why.
      throw failure() ?? e;
    }
    const late = failure();
    if (late) throw late;
  }

  private async record(signed: SignedManifest, source: ModelRegisteredData['source'], meta: CommandMeta): Promise<ModelRecord> {
    const modelId = signed.manifest.sha256;
    try {
      await this.streams.model(modelId, { type: 'register_model', data: { modelId, signed, storage: artifactLocation(modelId), source, now: new Date() } }, meta);
    } catch (e) {
      if (isUniqueViolation(e, 'models_name_version')) throw new ModelVersionTakenError(signed.manifest.name, signed.manifest.version, '(a concurrent registration)');
      throw e;
    }
    const record = await this.db.asAdmin((c) => modelsReadModel.get(c, modelId));
    if (!record) throw new Error(`model ${modelId} vanished after its registration`);
    this.logger.log(`model ${signed.manifest.name} ${signed.manifest.version} (${modelId}) registered from ${source.kind} by ${meta.actor}`);
    return record;
  }
}

/** The code and first bad chunk of a failed check, for `model_verification_failed`. */
export function failureOf(e: DomainError): { code: string; chunk: number | null } {
  const chunk = e.details?.chunk;
  return { code: e.code, chunk: typeof chunk === 'number' ? chunk : null };
}
