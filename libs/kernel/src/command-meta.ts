import { randomUUID } from 'node:crypto';
import type { Principal } from './principal';

/** The edge a command came in through, recorded as `metadata.channel` on its events. */
export type CommandChannel = 'http' | 'mcp' | 'realtime' | 'system';

/**
 * Who asks and on whose behalf: everything a command carries besides its intent. Built once at each
 * edge (REST, MCP, Socket.IO, a worker) and passed unchanged to the command pipeline, which records
 * actor, correlation, causation and idempotency key in every event's metadata.
 */
export interface CommandMeta {
  /** API key id of the caller, or `system:<worker>` for the daemon's own work. */
  actor: string;
  /** The caller's namespace: the tenant a command runs in unless the command names another. */
  namespace: string;
  role: Principal['role'];
  correlationId: string;
  /** Where the command came from: REST `http`, MCP `mcp`, the daemon's own work `system`. */
  channel: CommandChannel;
  /** Id of the event or message that caused this command, when one did. */
  causationId?: string;
  idempotencyKey?: string;
}

// Client-chosen ids (X-Request-Id) end up in event metadata and logs: only sane ones are kept.
const SAFE_ID = /^[\w.:-]{1,128}$/;

/** The caller's request id when it is sane, otherwise a fresh one: the one rule for correlation ids. */
export function correlationIdFrom(candidate: unknown): string {
  const id = String(candidate ?? '');
  return SAFE_ID.test(id) ? id : randomUUID();
}

/** The metadata of a command an authenticated caller sends. */
export function commandMetaFor(
  principal: Principal,
  request: { channel: CommandChannel; requestId?: unknown; idempotencyKey?: string; causationId?: string },
): CommandMeta {
  return {
    actor: principal.keyId,
    namespace: principal.namespace,
    role: principal.role,
    correlationId: correlationIdFrom(request.requestId),
    channel: request.channel,
    ...(request.causationId !== undefined && { causationId: request.causationId }),
    ...(request.idempotencyKey !== undefined && { idempotencyKey: request.idempotencyKey }),
  };
}

/** The metadata of a command the daemon runs itself (bootstrap, workers): an admin-role system actor. */
export function systemCommandMeta(worker: string, namespace: string): CommandMeta {
  return { actor: worker, namespace, role: 'admin', correlationId: randomUUID(), channel: 'system' };
}
