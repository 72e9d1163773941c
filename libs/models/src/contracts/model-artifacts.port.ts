import type { Readable } from 'node:stream';
import type { SignedManifest } from './model-package';

/**
 * What the peers context needs from the registry to seed and to receive model artifacts between nodes.
 * Chunks are addressed by their SHA-256; a node serves a chunk only from a verified artifact.
 */
export interface ModelArtifacts {
  /** Signed manifests of the models this node holds whole and verified, keyed by manifest `sha256`. */
  inventory(): Promise<SignedManifest[]>;
  /** The signed manifest of the artifact with this whole-artifact sha256, if held. */
  manifest(artifactSha256: string): Promise<SignedManifest | undefined>;
  /**
   * Bytes `[start, end]` (inclusive, default the whole chunk) of the chunk with this sha256, or undefined when this
   * node does not hold it verified. `size` is the chunk's full length (for a Content-Range); a range outside it
   * throws `MODELS.CHUNK_RANGE` (kind `range_not_satisfiable`).
   */
  openChunk(chunkSha256: string, range?: { start: number; end: number }): Promise<{ size: number; body: Readable } | undefined>;
  /**
   * Registers an artifact assembled from chunks on this node: verifies signature, trusted publisher, every chunk
   * and the whole hash exactly as an upload would, then records `model_registered` + `model_verified`.
   * Throws the same DomainError codes as registration over HTTP.
   */
  registerAssembled(signed: SignedManifest, artifactPath: string, actor: string): Promise<void>;
  /**
   * Checks the signed manifest alone (shape, trusted publisher, signature, no conflicting registration) and throws
   * the same DomainError codes as registration. Peers call it before fetching a single chunk, so an untrusted or
   * re-signed manifest costs no transfer.
   */
  verifyManifest(signed: SignedManifest): Promise<void>;
}

export const MODEL_ARTIFACTS = Symbol('cave.models.ModelArtifacts');
