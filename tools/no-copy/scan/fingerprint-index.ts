/**
 * Fingerprints of many files in flat typed arrays (a dependency tree has millions), serialised as JSON with the
 * arrays in base64: hashes and positions only, never source text. Used for the dependency cache and for the corpora
 * of other repositories kept in the repo.
 */
import { FINGERPRINT_VERSION, K, MIN_DISTINCT_TOKENS, W } from './thresholds';
import { TokenStream } from './tokenizer';
import { winnow } from './winnow';

interface SerialisedIndex {
  format: 'cave-no-copy-fingerprints';
  version: number;
  k: number;
  w: number;
  name: string;
  files: string[];
  /** little-endian uint32 quintuples: hash, file, first token, first line, last line of the k-gram. */
  fingerprints: string;
}

const FIELDS = 5;

export class FingerprintIndex {
  private data: Uint32Array;
  private length = 0;
  readonly files: string[] = [];

  constructor(
    readonly name: string,
    capacity = 1024,
  ) {
    this.data = new Uint32Array(capacity * FIELDS);
  }

  get size(): number {
    return this.length;
  }

  /** Adds a file's winnowed fingerprints; returns how many it had. */
  add(path: string, stream: TokenStream): number {
    const file = this.files.length;
    this.files.push(path);
    const prints = winnow(stream.codes, K, W, MIN_DISTINCT_TOKENS);
    this.reserve(prints.length);
    for (const p of prints) {
      const at = this.length++ * FIELDS;
      this.data[at] = p.hash;
      this.data[at + 1] = file;
      this.data[at + 2] = p.token;
      this.data[at + 3] = stream.lines[p.token];
      this.data[at + 4] = stream.lines[p.token + K - 1];
    }
    return prints.length;
  }

  hash(i: number): number {
    return this.data[i * FIELDS];
  }
  file(i: number): number {
    return this.data[i * FIELDS + 1];
  }
  token(i: number): number {
    return this.data[i * FIELDS + 2];
  }
  firstLine(i: number): number {
    return this.data[i * FIELDS + 3];
  }
  lastLine(i: number): number {
    return this.data[i * FIELDS + 4];
  }

  private reserve(extra: number): void {
    const needed = (this.length + extra) * FIELDS;
    if (needed <= this.data.length) return;
    const next = new Uint32Array(Math.max(needed, this.data.length * 2));
    next.set(this.data.subarray(0, this.length * FIELDS));
    this.data = next;
  }

  serialise(): string {
    const bytes = Buffer.from(this.data.buffer, this.data.byteOffset, this.length * FIELDS * 4);
    const body: SerialisedIndex = {
      format: 'cave-no-copy-fingerprints',
      version: FINGERPRINT_VERSION,
      k: K,
      w: W,
      name: this.name,
      files: this.files,
      fingerprints: bytes.toString('base64'),
    };
    return JSON.stringify(body);
  }

  /** Refuses an index built with other parameters: its fingerprints would silently never match. */
  static parse(text: string, origin: string): FingerprintIndex {
    const body = JSON.parse(text) as SerialisedIndex;
    if (body.format !== 'cave-no-copy-fingerprints') throw new Error(`${origin}: not a fingerprint file`);
    if (body.version !== FINGERPRINT_VERSION || body.k !== K || body.w !== W) {
      throw new Error(`${origin}: built with version ${body.version}, k=${body.k}, w=${body.w}; this check uses version ${FINGERPRINT_VERSION}, k=${K}, w=${W} (rebuild it with \`npm run no-copy -- index\`)`);
    }
    const bytes = Buffer.from(body.fingerprints, 'base64');
    const index = new FingerprintIndex(body.name, 0);
    // Copy into an aligned buffer: a Buffer from base64 may start at any offset of Node's pool.
    const aligned = new Uint8Array(bytes.length);
    aligned.set(bytes);
    index.data = new Uint32Array(aligned.buffer);
    index.length = index.data.length / FIELDS;
    index.files.push(...body.files);
    return index;
  }
}
