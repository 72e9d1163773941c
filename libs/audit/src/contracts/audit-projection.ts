import type { CaveConfig } from '@cave/config';
import type { Projection } from '@cave/projections';
import { HmacKeyRing } from '../domain/hmac-key-ring';
import { AuditWriter } from '../projections/audit-writer';
import { auditProjection } from '../projections/audit.projection';

/**
 * The `audit` projector for a process that administers projections without running them (the CLI): its
 * registry must know the projector's rules, e.g. `rebuildable: false` (the log is append-only evidence), so
 * `projections rebuild audit` is refused there instead of failing on the daemon. Same writer as the daemon's.
 */
export function auditProjectionFor(audit: Pick<CaveConfig['audit'], 'hmacKey' | 'hmacPreviousKeys'>): Projection {
  return auditProjection(new AuditWriter(new HmacKeyRing(audit.hmacKey, audit.hmacPreviousKeys)));
}
