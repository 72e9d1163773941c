import type { StorageCommandMeta } from '../storage-meta';

export class DeleteBucketCommand {
  constructor(
    readonly bucket: string,
    readonly meta: StorageCommandMeta,
  ) {}
}
