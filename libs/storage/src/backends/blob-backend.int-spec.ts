import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, CreateMultipartUploadCommand, ListMultipartUploadsCommand, S3Client } from '@aws-sdk/client-s3';
import { describeWithS3 } from '@cave/testing';
import { BackendHarness, blobBackendContract } from './blob-backend.contract';
import { FsBlobBackend } from './fs-blob-backend';
import { S3BlobBackend } from './s3-blob-backend';

jest.setTimeout(120_000);

describe('BlobBackend contract: fs', () => {
  const root = mkdtempSync(join(tmpdir(), 'cave-blob-fs-'));
  const backend = new FsBlobBackend(root);
  const harness: BackendHarness = {
    backend,
    leaveTemporary: async () => {
      const path = join(root, 'tmp', 'crashed-upload');
      writeFileSync(path, randomBytes(10));
      // Written "a while ago": the sweep cut-offs in the contract are relative to now.
      const past = new Date(Date.now() - 60_000);
      utimesSync(path, past, past);
    },
    countTemporary: async () => readdirSync(join(root, 'tmp')).length,
  };
  beforeAll(() => backend.init());
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  blobBackendContract(() => harness);
});

describeWithS3('BlobBackend contract: s3 (Ceph radosgw)', (server) => {
  let client: S3Client;
  let harness: BackendHarness;
  const bucket = `cave-contract-${randomBytes(4).toString('hex')}`;
  const prefix = 'contract/';

  beforeAll(async () => {
    const s = server();
    const credentials = { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey };
    client = new S3Client({ endpoint: s.endpoint, region: s.region, forcePathStyle: true, credentials });
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    const backend = new S3BlobBackend({ endpoint: s.endpoint, region: s.region, bucket, ...credentials, forcePathStyle: true, prefix });
    const uploads = async () => (await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: `${prefix}blobs/` }))).Uploads ?? [];
    harness = {
      backend,
      leaveTemporary: async () => {
        await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: `${prefix}blobs/00000000-0000-4000-8000-000000000000` }));
      },
      countTemporary: async () => (await uploads()).length,
    };
  });
  afterAll(async () => {
    await harness?.backend.close();
    client?.destroy();
  });
  blobBackendContract(() => harness);
});
