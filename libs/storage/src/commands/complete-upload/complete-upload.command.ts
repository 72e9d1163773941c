import type { StorageCommandMeta } from '../storage-meta';

export class CompleteUploadCommand {
  constructor(
    readonly bucket: string,
    readonly uploadId: string,
    /** Part numbers in order; undefined = every uploaded part. */
    readonly parts: number[] | undefined,
    readonly meta: StorageCommandMeta,
  ) {}
}
