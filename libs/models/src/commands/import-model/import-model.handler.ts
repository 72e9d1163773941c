import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { assertNamespaceName } from '../../domain/names';
import { BLOB_STORE, BlobStore } from '@cave/storage';
import { ImportSourceNotFoundError } from '../../domain/models.errors';
import type { ModelRecord } from '../../read-models/models.read-model';
import { PackageIntake } from '../../registry/package-intake';
import { ImportModelCommand } from './import-model.command';

/** Streams an existing storage object through the same intake as an upload. */
@CommandHandler(ImportModelCommand)
export class ImportModelHandler implements ICommandHandler<ImportModelCommand> {
  constructor(
    private readonly intake: PackageIntake,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
  ) {}

  async execute(cmd: ImportModelCommand): Promise<ModelRecord> {
    const { namespace, bucket, key } = cmd.source;
    assertNamespaceName(namespace, 'namespace');
    const object = await this.blobs.get(namespace, bucket, key);
    if (!object) throw new ImportSourceNotFoundError(namespace, bucket, key);
    return this.intake.fromPackage(object.body, { kind: 'storage', ref: `${namespace}/${bucket}/${key}` }, cmd.meta);
  }
}
