import type { StorageCommandMeta } from '../storage-meta';

export class CreateUploadCommand {
  constructor(
    readonly bucket: string,
    readonly key: string,
    readonly contentType: string,
    readonly meta: StorageCommandMeta,
  ) {}
}

export interface UploadView {
  uploadId: string;
  bucket: string;
  key: string;
  contentType: string;
}
