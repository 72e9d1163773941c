import { Injectable } from '@nestjs/common';
import { Database } from '@cave/event-store';
import { checkSandboxAgainstPolicy, DEFAULT_POLICY, NamespacePolicy } from '../domain/runtime/namespace-policy';
import type { SandboxLimits } from '../contracts/sandbox.events';

/**
 * The namespace's policy and, only when it caps the number of sandboxes, the live count: one statement, so the
 * check is one tenant round trip (`Database.tenantQuery`) on every creation instead of a transaction of four.
 */
const POLICY_AND_LIVE_COUNT = {
  name: 'sandbox_policy_check_v2',
  text: `select p.policy, p.version,
                case when jsonb_typeof(p.policy -> 'maxSandboxes') = 'number'
                     then (select count(*)::int from sandboxes where state <> 'deleted') end as live
         from (select (select policy from namespace_policies) as policy, coalesce((select version from namespace_policies), 0) as version) p`,
};

/** A new sandbox against its namespace's policy: runtime and mode allowed, limits under the maxima, count under the cap. */
@Injectable()
export class SandboxPolicyCheck {
  constructor(private readonly db: Database) {}

  /** The policy it checked against, and its version (0 = none set), for the exec plan cache (ADR 0023). */
  async assertAllowed(namespace: string, spec: { runtime: string; mode: string; limits: SandboxLimits }): Promise<{ policy: NamespacePolicy; policyVersion: number }> {
    const { rows } = await this.db.tenantQuery<{ policy: NamespacePolicy | null; version: number; live: number | null }>(namespace, POLICY_AND_LIVE_COUNT, []);
    const policy = rows[0]?.policy ?? DEFAULT_POLICY;
    checkSandboxAgainstPolicy(spec, policy, policy.maxSandboxes === null ? 0 : (rows[0]?.live ?? 0));
    return { policy, policyVersion: Number(rows[0]?.version ?? 0) };
  }
}
