/**
 * Token streams of the project's files from the last run, keyed by path and content digest, so a warm run
 * re-lexes (and loads the TypeScript parser for) only the files that changed.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeAtomically } from './dependency-index';
import { FINGERPRINT_VERSION } from './thresholds';
import { TokenStream } from './tokenizer';

interface CachedFile {
  digest: string;
  codes: string;
  lines: string;
}

interface CacheBody {
  version: number;
  files: Record<string, CachedFile>;
}

const toBase64 = (values: number[]) => Buffer.from(Uint32Array.from(values).buffer).toString('base64');
const fromBase64 = (text: string): number[] => {
  const bytes = Buffer.from(text, 'base64');
  const aligned = new Uint8Array(bytes.length);
  aligned.set(bytes);
  return Array.from(new Uint32Array(aligned.buffer));
};

export class ProjectTokenCache {
  private readonly previous: Record<string, CachedFile>;
  private readonly current: Record<string, CachedFile> = {};
  private changed = false;

  constructor(private readonly path: string) {
    let previous: Record<string, CachedFile> = {};
    if (existsSync(path)) {
      try {
        const body = JSON.parse(readFileSync(path, 'utf8')) as CacheBody;
        if (body.version === FINGERPRINT_VERSION) previous = body.files;
      } catch {
        // A torn or foreign cache file is rebuilt, never trusted.
      }
    }
    this.previous = previous;
  }

  get(path: string, digest: string, tokenize: () => TokenStream): TokenStream {
    const hit = this.previous[path];
    if (hit && hit.digest === digest) {
      this.current[path] = hit;
      return { codes: fromBase64(hit.codes), lines: fromBase64(hit.lines) };
    }
    const stream = tokenize();
    this.current[path] = { digest, codes: toBase64(stream.codes), lines: toBase64(stream.lines) };
    this.changed = true;
    return stream;
  }

  save(): void {
    if (!this.changed && Object.keys(this.current).length === Object.keys(this.previous).length) return;
    mkdirSync(dirname(this.path), { recursive: true });
    const body: CacheBody = { version: FINGERPRINT_VERSION, files: this.current };
    writeAtomically(this.path, JSON.stringify(body));
  }
}
