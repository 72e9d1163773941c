import { createReadStream } from 'node:fs';
import { Injectable } from '@nestjs/common';
import { Database } from '@cave/event-store';
import { systemCommandMeta } from '@cave/kernel';
import type { ModelArtifacts } from '../contracts/model-artifacts.port';
import type { SignedManifest } from '../contracts/model-package';
import { MODELS_NAMESPACE } from '../contracts/models.events';
import { chunkLengthOf, parseSignedManifest } from '../domain/manifest.rules';
import { ChunkRangeError } from '../domain/models.errors';
import { modelsReadModel } from '../read-models/models.read-model';
import { ModelFiles } from './model-files';
import { PackageIntake } from './package-intake';

/** `ModelArtifacts` for the peers context: chunks are served only from verified models' verified local copies. */
@Injectable()
export class ModelArtifactsAdapter implements ModelArtifacts {
  constructor(
    private readonly db: Database,
    private readonly files: ModelFiles,
    private readonly intake: PackageIntake,
  ) {}

  async inventory(): Promise<SignedManifest[]> {
    const records = await this.db.asAdmin((c) => modelsReadModel.list(c, { status: 'verified' }));
    return records.map((r) => r.signed);
  }

  async manifest(artifactSha256: string): Promise<SignedManifest | undefined> {
    const r = await this.db.asAdmin((c) => modelsReadModel.get(c, artifactSha256));
    return r?.status === 'verified' ? r.signed : undefined;
  }

  async openChunk(chunkSha256: string, range?: { start: number; end: number }) {
    if (!/^[0-9a-f]{64}$/.test(chunkSha256)) return undefined;
    const [holder] = await this.db.asAdmin((c) => modelsReadModel.chunkHolders(c, chunkSha256));
    if (!holder) return undefined;
    const size = chunkLengthOf(holder.record.signed.manifest, holder.index);
    const start = range?.start ?? 0;
    const end = range?.end ?? size - 1;
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end >= size) throw new ChunkRangeError(size);
    const path = await this.files.ensure(holder.record);
    const offset = holder.index * holder.record.signed.manifest.chunkSize;
    return { size, body: createReadStream(path, { start: offset + start, end: offset + end }) };
  }

  async verifyManifest(signed: SignedManifest): Promise<void> {
    await this.intake.admit(parseSignedManifest(signed));
  }

  async registerAssembled(signed: SignedManifest, artifactPath: string, actor: string): Promise<void> {
    const checked = parseSignedManifest(signed);
    const meta = { ...systemCommandMeta(actor, MODELS_NAMESPACE) };
    await this.intake.fromArtifact(checked, createReadStream(artifactPath, { highWaterMark: 1024 * 1024 }), { kind: 'assembled' }, meta);
  }
}
