import type { CommandMeta } from '@cave/kernel';

/** Who asks (built once at the HTTP edge). */
export type WebhookCommandMeta = CommandMeta;
