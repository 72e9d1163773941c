import type { Readable } from 'node:stream';
import type { StorageCommandMeta } from '../storage-meta';

export class UploadPartCommand {
  constructor(
    readonly bucket: string,
    readonly uploadId: string,
    readonly partNumber: number,
    readonly body: Readable,
    readonly size: number,
    readonly meta: StorageCommandMeta,
  ) {}
}

export interface PartView {
  partNumber: number;
  size: number;
  sha256: string;
}
