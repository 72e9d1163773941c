import { Inject, Injectable } from '@nestjs/common';
import { CAVE_CONFIG, CaveConfig, LlmPolicy } from '@cave/config';
import { QuotaExceededError } from '../domain/llm.errors';
import { policyFor, secondsToUtcMidnight } from '../domain/policy';
import { LlmUsageReadModel } from '../projections/llm-usage.read-model';

/** The namespace's policy, and its day quota checked before any model runs (429 once used up). */
@Injectable()
export class UsageGuard {
  constructor(
    @Inject(CAVE_CONFIG) private readonly config: CaveConfig,
    private readonly usage: LlmUsageReadModel,
  ) {}

  policy(namespace: string): LlmPolicy {
    return policyFor(namespace, this.config.llm.policy, this.config.llm.namespacePolicies);
  }

  async assertQuota(namespace: string, policy: LlmPolicy): Promise<void> {
    if (policy.tokensPerDay <= 0) return;
    const now = new Date();
    const used = await this.usage.tokensOn(namespace, now.toISOString().slice(0, 10));
    if (used >= policy.tokensPerDay) throw new QuotaExceededError(used, policy.tokensPerDay, secondsToUtcMidnight(now));
  }
}
