import type { Readable } from 'node:stream';
import type { ObjectView } from '../../projections/storage.read-model';
import type { ObjectTarget } from '../object-writer';
import type { StorageCommandMeta } from '../storage-meta';

/** Stream `body` (exactly `size` bytes when given) into an object. */
export class PutObjectCommand {
  constructor(
    readonly target: ObjectTarget,
    readonly body: Readable,
    readonly size: number | undefined,
    readonly meta: StorageCommandMeta,
  ) {}
}

export type PutObjectResult = ObjectView;
