import type { Principal } from '@cave/kernel';

/** Who asks and under which correlation id (built once at the HTTP edge). */
export interface WebhookCommandMeta {
  principal: Principal;
  correlationId: string;
}
