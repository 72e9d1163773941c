/**
 * The `.bkg` model package as every context sees it (ADR 0016). The models context owns packing, parsing and
 * verification; peers and the llm edge only read these shapes.
 */
export interface ModelManifest {
  /** `[a-z0-9][a-z0-9._-]{0,63}` */
  name: string;
  /** Free-form version label, 1..64 printable characters. */
  version: string;
  format: 'gguf';
  /** Lower-case hex SHA-256 of the whole artifact. */
  sha256: string;
  sizeBytes: number;
  /** Bytes per chunk; every chunk but the last has exactly this size. */
  chunkSize: number;
  /** Lower-case hex SHA-256 of each chunk, in artifact order. */
  chunks: string[];
  license: string;
  /** Publisher key id: lower-case hex SHA-256 of the raw 32-byte Ed25519 public key. */
  publisher: string;
}

/** The signed header of a `.bkg` file: the manifest and a base64url Ed25519 signature over its JCS bytes. */
export interface SignedManifest {
  manifest: ModelManifest;
  signature: string;
}
