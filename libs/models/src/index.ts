export { ModelsModule } from './models.module';
export type { ModelManifest, SignedManifest } from './contracts/model-package';
export { ACTIVE_MODELS } from './contracts/active-models.port';
export type { ActiveModel, ActiveModels } from './contracts/active-models.port';
export { MODEL_ARTIFACTS } from './contracts/model-artifacts.port';
export type { ModelArtifacts } from './contracts/model-artifacts.port';
export { DEFAULT_CHUNK_SIZE, isValidChunkSize, packBkg, parsePrivateKey, publicKeyPem, publisherIdOf, rawPublicKey } from './contracts/bkg-toolkit';
export type { PackOptions } from './contracts/bkg-toolkit';
export {
  MODEL_ACTIVATED,
  MODEL_DEACTIVATED,
  MODEL_DELETED,
  MODEL_PUBLISHER_REVOKED,
  MODEL_PUBLISHER_STREAM_TYPE,
  MODEL_PUBLISHER_TRUSTED,
  MODEL_REGISTERED,
  MODEL_STREAM_TYPE,
  MODEL_VERIFICATION_FAILED,
  MODEL_VERIFIED,
  MODELS_NAMESPACE,
  modelStreamId,
  publisherStreamId,
} from './contracts/models.events';
export type {
  ModelActivatedData,
  ModelDeactivatedData,
  ModelDeletedData,
  ModelEvent,
  ModelPublisherRevokedData,
  ModelPublisherTrustedData,
  ModelRegisteredData,
  ModelStorageLocation,
  ModelVerificationFailedData,
  ModelVerifiedData,
  PublisherEvent,
} from './contracts/models.events';
