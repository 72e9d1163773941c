import { Injectable } from '@nestjs/common';
import { Database } from '@cave/event-store';
import { checkSandboxAgainstPolicy } from '../domain/runtime/namespace-policy';
import type { SandboxLimits } from '../contracts/sandbox.events';
import { SandboxRuntimeRepository } from './sandbox-runtime.repository';

/** A new sandbox against its namespace's policy: runtime and mode allowed, limits under the maxima, count under the cap. */
@Injectable()
export class SandboxPolicyCheck {
  constructor(
    private readonly db: Database,
    private readonly repo: SandboxRuntimeRepository,
  ) {}

  async assertAllowed(namespace: string, spec: { runtime: string; mode: string; limits: SandboxLimits }): Promise<void> {
    await this.db.tenant(namespace, async (c) => {
      const policy = await this.repo.policy(c);
      checkSandboxAgainstPolicy(spec, policy, policy.maxSandboxes === null ? 0 : await this.repo.liveSandboxCount(c));
    });
  }
}
