/**
 * The `.bkg` publisher toolkit (ADR 0016) for edges outside the daemon: `cave models keygen` and `cave models pack`
 * make a publisher key and pack, hash and sign an artifact with it. Reading and verifying a package stay inside the
 * context: the daemon's routes and peers (through `MODEL_ARTIFACTS`) reach them only through the registry.
 */
export { DEFAULT_CHUNK_SIZE, isValidChunkSize } from '../domain/manifest.rules';
export { parsePrivateKey, publicKeyPem, publisherIdOf, rawPublicKey } from '../domain/publisher-key';
export { packBkg } from '../package/bkg-pack';
export type { PackOptions } from '../package/bkg-pack';
