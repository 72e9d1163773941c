import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { assertNamespace, Database, EventStore } from '@cave/event-store';
import { ExecInvalidError, NamespaceNotFoundError } from '../../domain/runtime/sandbox-runtime.errors';
import { NamespacePolicy, parseNamespacePolicy } from '../../domain/runtime/namespace-policy';
import { POLICY_STREAM_TYPE, policyStreamId } from '../../domain/runtime/sandbox-runtime.events';
import { SandboxRuntimeHost } from '../../runtime-host/sandbox-runtime.host';
import { SetNamespacePolicyCommand } from './set-namespace-policy.command';

const NAMESPACE = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/**
 * `namespace_policy_set` in the namespace's own policy stream, and the `namespace_policies` row in the same
 * transaction (as the admin role: tenants may read their policy, never write it).
 */
@CommandHandler(SetNamespacePolicyCommand)
export class SetNamespacePolicyHandler implements ICommandHandler<SetNamespacePolicyCommand, { namespace: string; policy: NamespacePolicy; version: number }> {
  constructor(
    private readonly db: Database,
    private readonly store: EventStore,
    private readonly host: SandboxRuntimeHost,
  ) {}

  async execute({ namespace, body, meta }: SetNamespacePolicyCommand): Promise<{ namespace: string; policy: NamespacePolicy; version: number }> {
    if (!NAMESPACE.test(namespace)) throw new ExecInvalidError('namespace must match ^[a-z0-9][a-z0-9_-]{0,62}$', 'namespace');
    assertNamespace(namespace);
    const policy = parseNamespacePolicy(body);
    const set = await this.db.asAdmin(async (c) => {
      // A namespace exists once a key was issued for it; a policy for a name nobody uses is a typo.
      const known = (await c.query(`select 1 from api_keys where namespace = $1 limit 1`, [namespace])).rowCount === 1;
      if (!known) throw new NamespaceNotFoundError(namespace);
      const r = await this.store.append(policyStreamId(namespace), 'any', [{ type: 'namespace_policy_set', data: { namespace, policy } }], {
        namespace,
        streamType: POLICY_STREAM_TYPE,
        actor: meta.actor,
        correlationId: meta.correlationId,
        // The CommandRunner records these for every other command; this append is the handler's own.
        causationId: meta.causationId,
        channel: meta.channel,
        client: c,
      });
      await c.query(
        `insert into namespace_policies (namespace, policy, version, updated_at) values ($1, $2, $3, now())
         on conflict (namespace) do update set policy = excluded.policy, version = excluded.version, updated_at = now()`,
        [namespace, JSON.stringify(policy), r.nextExpectedVersion],
      );
      return { namespace, policy, version: r.nextExpectedVersion };
    });
    // This daemon's cached plans of the namespace would only fail their record once (ADR 0023); other daemons do that.
    this.host.plans.forgetNamespace(namespace);
    return set;
  }
}
