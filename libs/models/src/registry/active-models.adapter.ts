import { Injectable } from '@nestjs/common';
import { Database } from '@cave/event-store';
import { DomainError } from '@cave/kernel';
import type { ActiveModel, ActiveModels } from '../contracts/active-models.port';
import { modelsReadModel } from '../read-models/models.read-model';
import { ModelFiles } from './model-files';
import { ModelChecks } from './registry.service';

const CHECK_CODES = new Set(['MODELS.CHUNK_HASH_MISMATCH', 'MODELS.ARTIFACT_HASH_MISMATCH', 'MODELS.ARTIFACT_TRUNCATED', 'MODELS.ARTIFACT_TOO_LONG', 'MODELS.ARTIFACT_MISSING']);

/**
 * `ActiveModels` for the llm edge: the activation is looked up in a tenant transaction (RLS on
 * `model_activations` decides what a namespace sees), then the model must be verified, then its local copy is
 * materialised and checked once. Stored bytes that fail the check on the way record `model_verification_failed`
 * and resolve to undefined, like a model that was never activated.
 */
@Injectable()
export class ActiveModelsAdapter implements ActiveModels {
  constructor(
    private readonly db: Database,
    private readonly files: ModelFiles,
    private readonly checks: ModelChecks,
  ) {}

  async resolve(namespace: string, name: string): Promise<ActiveModel | undefined> {
    const modelId = await this.db.tenant(namespace, (c) => modelsReadModel.activeModelId(c, name));
    if (!modelId) return undefined;
    const record = await this.db.asAdmin((c) => modelsReadModel.get(c, modelId));
    if (!record || record.status !== 'verified') return undefined;
    try {
      return { manifest: record.signed.manifest, localPath: await this.files.ensure(record) };
    } catch (e) {
      if (e instanceof DomainError && CHECK_CODES.has(e.code)) {
        await this.checks.recordVerdict(modelId, e);
        return undefined;
      }
      throw e;
    }
  }
}
