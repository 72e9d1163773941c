import type { StorageCommandMeta } from '../storage-meta';

export class AbortUploadCommand {
  constructor(
    readonly bucket: string,
    readonly uploadId: string,
    readonly meta: StorageCommandMeta,
  ) {}
}
