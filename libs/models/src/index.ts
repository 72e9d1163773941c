export { ModelsModule } from './models.module';
export * from './contracts/model-package';
export * from './contracts/active-models.port';
export * from './contracts/model-artifacts.port';
// The .bkg format toolkit (ADR 0016): the CLI packs with it, peers verify chunks with it.
export { DEFAULT_CHUNK_SIZE, MAX_CHUNK_SIZE, MIN_CHUNK_SIZE, chunkCountOf, chunkLengthOf, isValidChunkSize, manifestSigningBytes, parseManifest, parseSignedManifest } from './domain/manifest.rules';
export { parsePrivateKey, parsePublicKey, publicKeyPem, publisherIdOf, rawPublicKey, signManifest, verifyManifestSignature } from './domain/publisher-key';
export * from './domain/models.errors';
export { BKG_MAGIC, BKG_PREFIX_BYTES, BkgHeaderReader, MAX_HEADER_BYTES, bkgPrefix, headerBytesOf } from './package/bkg-reader';
export { ChunkCheck, ChunkVerifier } from './package/chunk-verifier';
export { bkgStream, buildSignedManifest, hashArtifact, packBkg } from './package/bkg-pack';
export type { PackOptions } from './package/bkg-pack';
export * from './contracts/models.events';
