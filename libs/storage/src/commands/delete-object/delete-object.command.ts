import type { Preconditions } from '../../domain/object.decider';
import type { StorageCommandMeta } from '../storage-meta';

export class DeleteObjectCommand {
  constructor(
    readonly bucket: string,
    readonly key: string,
    readonly preconditions: Preconditions,
    readonly meta: StorageCommandMeta,
  ) {}
}
