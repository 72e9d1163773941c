import { DomainError, FieldProblem } from '@cave/kernel';

/**
 * Errors of the models context. Every way a package can be refused has its own code, so a client (or a peer)
 * can tell a forged package from a damaged download from an operator who has not trusted the key yet.
 */

/** The manifest breaks a rule of ADR 0016 (`errors` names each field). */
export class ManifestInvalidError extends DomainError {
  readonly code = 'MODELS.MANIFEST_INVALID';
  readonly kind = 'invalid';
  constructor(readonly errors: FieldProblem[]) {
    super(`manifest invalid: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`, { errors });
  }
}

/** Not a `.bkg` stream: wrong magic, a header length outside the bounds, or a header that is not the JSON shape. */
export class PackageMalformedError extends DomainError {
  readonly code = 'MODELS.PACKAGE_MALFORMED';
  readonly kind = 'invalid';
}

/** The Ed25519 signature does not verify over the manifest's canonical bytes with the publisher's key. */
export class SignatureInvalidError extends DomainError {
  readonly code = 'MODELS.SIGNATURE_INVALID';
  readonly kind = 'unprocessable';
  constructor(publisher: string) {
    super('the manifest signature does not verify with the publisher key', { publisher });
  }
}

/** The manifest names a publisher key no admin has trusted (or one that was revoked). */
export class PublisherUntrustedError extends DomainError {
  readonly code = 'MODELS.PUBLISHER_UNTRUSTED';
  readonly kind = 'unprocessable';
  constructor(publisher: string) {
    super(`publisher ${publisher} is not trusted on this node`, { publisher });
  }
}

/** A chunk of the artifact hashes to something else than the manifest lists. */
export class ChunkHashMismatchError extends DomainError {
  readonly code = 'MODELS.CHUNK_HASH_MISMATCH';
  readonly kind = 'unprocessable';
  constructor(index: number) {
    super(`chunk ${index} does not match its manifest hash`, { chunk: index });
  }
}

/** Every chunk matched but the whole artifact does not hash to the manifest's `sha256`. */
export class ArtifactHashMismatchError extends DomainError {
  readonly code = 'MODELS.ARTIFACT_HASH_MISMATCH';
  readonly kind = 'unprocessable';
  constructor() {
    super('the artifact does not match the manifest sha256');
  }
}

/** The stream ended before `sizeBytes` artifact bytes (or before the header was complete). */
export class ArtifactTruncatedError extends DomainError {
  readonly code = 'MODELS.ARTIFACT_TRUNCATED';
  readonly kind = 'unprocessable';
  constructor(received: number, expected: number) {
    super(`the package ended after ${received} of ${expected} bytes`, { received, expected });
  }
}

/** More bytes than `sizeBytes` followed the header. */
export class ArtifactTooLongError extends DomainError {
  readonly code = 'MODELS.ARTIFACT_TOO_LONG';
  readonly kind = 'unprocessable';
  constructor(expected: number) {
    super(`the package carries more than the ${expected} artifact bytes its manifest declares`, { expected });
  }
}

/** A public or private key that is not an Ed25519 key in a form we read. */
export class KeyInvalidError extends DomainError {
  readonly code = 'MODELS.KEY_INVALID';
  readonly kind = 'invalid';
}

export class ModelNotFoundError extends DomainError {
  readonly code = 'MODELS.MODEL_NOT_FOUND';
  readonly kind = 'not_found';
  constructor(modelId: string) {
    super(`model ${modelId} not found`, { modelId });
  }
}

export class PublisherNotFoundError extends DomainError {
  readonly code = 'MODELS.PUBLISHER_NOT_FOUND';
  readonly kind = 'not_found';
  constructor(publisherId: string) {
    super(`publisher ${publisherId} not found`, { publisherId });
  }
}

/** Only a model whose last verification passed can be activated. */
export class ModelNotVerifiedError extends DomainError {
  readonly code = 'MODELS.NOT_VERIFIED';
  readonly kind = 'conflict';
  constructor(modelId: string, status: string) {
    super(`model ${modelId} is ${status}, not verified: verify it before activating`, { modelId, modelStatus: status });
  }
}

/** Another artifact is registered under this name and version: a new artifact needs a new version. */
export class ModelVersionTakenError extends DomainError {
  readonly code = 'MODELS.VERSION_TAKEN';
  readonly kind = 'conflict';
  constructor(name: string, version: string, modelId: string) {
    super(`${name} ${version} is already registered with another artifact (${modelId})`, { name, version, modelId });
  }
}

/** This artifact is registered already under another manifest (name, version, license or chunking). */
export class ModelManifestConflictError extends DomainError {
  readonly code = 'MODELS.MANIFEST_CONFLICT';
  readonly kind = 'conflict';
  constructor(modelId: string) {
    super(`artifact ${modelId} is already registered with a different manifest; delete it first`, { modelId });
  }
}

/** A namespace has one active model per name; deactivate the other first. */
export class ModelNameActiveError extends DomainError {
  readonly code = 'MODELS.NAME_ACTIVE';
  readonly kind = 'conflict';
  constructor(name: string, namespace: string, modelId: string) {
    super(`${name} is already active in ${namespace} as model ${modelId}`, { name, namespace, modelId });
  }
}

/** The storage object to import does not exist. */
export class ImportSourceNotFoundError extends DomainError {
  readonly code = 'MODELS.IMPORT_SOURCE_NOT_FOUND';
  readonly kind = 'not_found';
  constructor(namespace: string, bucket: string, key: string) {
    super(`no object ${bucket}/${key} in ${namespace}`, { namespace, bucket, key });
  }
}

/** The registry's stored copy of an artifact is gone (recorded as a failed verification). */
export class ArtifactMissingError extends DomainError {
  readonly code = 'MODELS.ARTIFACT_MISSING';
  readonly kind = 'unprocessable';
  constructor(modelId: string) {
    super(`the stored artifact of model ${modelId} is missing`, { modelId });
  }
}

/** A chunk range outside the chunk. */
export class ChunkRangeError extends DomainError {
  readonly code = 'MODELS.CHUNK_RANGE';
  readonly kind = 'range_not_satisfiable';
  constructor(size: number) {
    super(`range outside the chunk (0..${size - 1})`, { size });
  }
}
