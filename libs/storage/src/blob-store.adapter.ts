import type { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { CommandMeta, correlationIdFrom, DomainError } from '@cave/kernel';
import type { BlobStore, StoredBlob } from './contracts/blob-store.port';
import { CreateBucketCommand } from './commands/create-bucket/create-bucket.command';
import { DeleteObjectCommand } from './commands/delete-object/delete-object.command';
import { PutObjectCommand } from './commands/put-object/put-object.command';
import { ObjectView } from './projections/storage.read-model';
import { GetObjectQuery } from './queries/get-object/get-object.query';
import { OpenObjectQuery } from './queries/open-object/open-object.query';

const toStored = (v: ObjectView): StoredBlob => ({ bucket: v.bucket, key: v.key, size: v.size, sha256: v.sha256, contentType: v.contentType, version: v.version });

/** Another context's call: recorded with channel `system` and the actor it names. */
const system = (namespace: string, actor: string): CommandMeta => ({ namespace, actor, role: 'member', correlationId: correlationIdFrom(undefined), channel: 'system' });

/** `BlobStore` over the context's own commands and queries: no second write path. */
@Injectable()
export class BlobStoreAdapter implements BlobStore {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  async ensureBucket(namespace: string, bucket: string, actor: string): Promise<void> {
    await this.commands.execute(new CreateBucketCommand(bucket, system(namespace, actor)));
  }

  async put(namespace: string, bucket: string, key: string, body: Readable, opts: { actor: string; contentType?: string; size?: number }): Promise<StoredBlob> {
    const view: ObjectView = await this.commands.execute(
      new PutObjectCommand({ bucket, key, contentType: opts.contentType ?? 'application/octet-stream', preconditions: {} }, body, opts.size, system(namespace, opts.actor)),
    );
    return toStored(view);
  }

  async head(namespace: string, bucket: string, key: string): Promise<StoredBlob | undefined> {
    const view = await this.find(namespace, bucket, key);
    return view && toStored(view);
  }

  async get(namespace: string, bucket: string, key: string): Promise<{ blob: StoredBlob; body: Readable } | undefined> {
    const view = await this.find(namespace, bucket, key);
    if (!view) return undefined;
    return { blob: toStored(view), body: await this.queries.execute(new OpenObjectQuery(view)) };
  }

  async delete(namespace: string, bucket: string, key: string, actor: string): Promise<void> {
    await this.commands.execute(new DeleteObjectCommand(bucket, key, {}, system(namespace, actor)));
  }

  private async find(namespace: string, bucket: string, key: string): Promise<ObjectView | undefined> {
    try {
      return await this.queries.execute(new GetObjectQuery(namespace, bucket, key));
    } catch (e) {
      if (e instanceof DomainError && e.kind === 'not_found') return undefined;
      throw e;
    }
  }
}
