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
