import type { StorageCommandMeta } from '../storage-meta';

export class CreateBucketCommand {
  constructor(
    readonly bucket: string,
    readonly meta: StorageCommandMeta,
  ) {}
}

export interface CreateBucketResult {
  created: boolean;
  bucket: { name: string; createdAt: Date };
}
