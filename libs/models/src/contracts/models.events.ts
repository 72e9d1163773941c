import type { SignedManifest } from './model-package';

/**
 * Public contract of the models context: persisted event names and payloads (ADR 0016, 0021). Models and
 * publishers are node-wide: their streams live in the `system` namespace; an activation names the tenant
 * namespace it opens the model to in its data.
 */
export const MODELS_NAMESPACE = 'system';
export const MODEL_STREAM_TYPE = 'model';
export const MODEL_PUBLISHER_STREAM_TYPE = 'model_publisher';

export const MODEL_PUBLISHER_TRUSTED = 'model_publisher_trusted';
export const MODEL_PUBLISHER_REVOKED = 'model_publisher_revoked';
export const MODEL_REGISTERED = 'model_registered';
export const MODEL_VERIFIED = 'model_verified';
export const MODEL_VERIFICATION_FAILED = 'model_verification_failed';
export const MODEL_ACTIVATED = 'model_activated';
export const MODEL_DEACTIVATED = 'model_deactivated';
export const MODEL_DELETED = 'model_deleted';

/** A model's id is its artifact's sha256: one artifact, one model, whatever route brought it. */
export function modelStreamId(modelId: string): string {
  return `model-${modelId}`;
}
export function publisherStreamId(publisherId: string): string {
  return `model_publisher-${publisherId}`;
}

export interface ModelPublisherTrustedData {
  publisherId: string;
  /** Raw 32-byte Ed25519 public key, base64. Public by nature. */
  publicKey: string;
  label: string | null;
  trustedAt: string;
}

export interface ModelPublisherRevokedData {
  publisherId: string;
  revokedAt: string;
}

/** Where the registry keeps an artifact (the storage context's system bucket, header stripped). */
export interface ModelStorageLocation {
  namespace: string;
  bucket: string;
  key: string;
}

export interface ModelRegisteredData {
  modelId: string;
  signed: SignedManifest;
  storage: ModelStorageLocation;
  /** `upload`, `storage` (imported from an object: `bucket/key` of the source) or `assembled` (peers). */
  source: { kind: 'upload' | 'storage' | 'assembled'; ref?: string };
  registeredAt: string;
}

export interface ModelVerifiedData {
  modelId: string;
  /** Chunks re-hashed (all of them). */
  chunks: number;
  verifiedAt: string;
}

export interface ModelVerificationFailedData {
  modelId: string;
  /** The DomainError code the check ended with (`MODELS.CHUNK_HASH_MISMATCH`, `MODELS.ARTIFACT_TRUNCATED`, ...). */
  code: string;
  /** The first bad chunk, when one was found. */
  chunk: number | null;
  failedAt: string;
}

export interface ModelActivatedData {
  modelId: string;
  name: string;
  namespace: string;
  activatedAt: string;
}

export interface ModelDeactivatedData {
  modelId: string;
  namespace: string;
  deactivatedAt: string;
}

export interface ModelDeletedData {
  modelId: string;
  deletedAt: string;
}

export type ModelEvent =
  | { type: typeof MODEL_REGISTERED; data: ModelRegisteredData }
  | { type: typeof MODEL_VERIFIED; data: ModelVerifiedData }
  | { type: typeof MODEL_VERIFICATION_FAILED; data: ModelVerificationFailedData }
  | { type: typeof MODEL_ACTIVATED; data: ModelActivatedData }
  | { type: typeof MODEL_DEACTIVATED; data: ModelDeactivatedData }
  | { type: typeof MODEL_DELETED; data: ModelDeletedData };

export type PublisherEvent =
  | { type: typeof MODEL_PUBLISHER_TRUSTED; data: ModelPublisherTrustedData }
  | { type: typeof MODEL_PUBLISHER_REVOKED; data: ModelPublisherRevokedData };
