import { createHash } from 'node:crypto';
import type { RequestId } from '@modelcontextprotocol/sdk/types.js';
import { DomainError } from '@cave/kernel';
import { IdempotencyKeyInvalidError } from '@cave/idempotency';

/** The `_meta` field an MCP client sets to make a tool call idempotent (the MCP twin of `Idempotency-Key`). */
export const IDEMPOTENCY_META_KEY = 'dev.cave/idempotency-key';

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/**
 * JSON-RPC ids are unique only within one connection: the SDK clients count from 0 in every connection,
 * and in stateless mode there is no session to scope them by. A small number would merge unrelated calls
 * of two agents sharing a key, so only ids that are unique by themselves (a string of at least 16
 * characters, e.g. a UUID) derive a key.
 */
const MIN_UNIQUE_ID_LENGTH = 16;

class IdempotencyMetaInvalidError extends DomainError {
  readonly code = new IdempotencyKeyInvalidError().code;
  readonly kind = 'invalid';
  constructor() {
    super(`_meta["${IDEMPOTENCY_META_KEY}"] must be 1 to 255 printable ASCII characters`);
  }
}

/**
 * The idempotency key of a mutating tool call: the client's own from `_meta`, else one derived from a
 * globally unique JSON-RPC id and the calling key (so a retried request with that id does the work once),
 * else none (every call runs).
 */
export function callIdempotencyKey(meta: Record<string, unknown> | undefined, requestId: RequestId, keyId: string): string | undefined {
  const given = meta?.[IDEMPOTENCY_META_KEY];
  if (given !== undefined) {
    if (typeof given !== 'string' || !KEY_PATTERN.test(given)) throw new IdempotencyMetaInvalidError();
    return given;
  }
  if (typeof requestId === 'string' && requestId.length >= MIN_UNIQUE_ID_LENGTH) {
    return `mcp:${createHash('sha256').update(`${keyId}\n${requestId}`).digest('base64url').slice(0, 43)}`;
  }
  return undefined;
}

/** What "the same call" means for a key: the tool and its arguments (the MCP twin of method, path, body). */
export function callFingerprint(tool: string, args: unknown, canonical: (v: unknown) => string): string {
  return createHash('sha256').update(`MCP tools/call ${tool}\n${canonical(args)}`).digest('hex');
}
