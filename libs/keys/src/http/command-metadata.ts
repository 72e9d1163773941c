import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Principal } from '@cave/kernel';
import type { CommandMetadata } from '../commands/api-key.repository';

const SAFE_ID = /^[\w.:-]{1,128}$/;

/** Actor = the caller's key id; correlation id = the request id (X-Request-Id when it is sane). */
export function commandMetadata(req: FastifyRequest, principal: Principal): CommandMetadata {
  const id = String(req.id ?? '');
  return { actor: principal.keyId, correlationId: SAFE_ID.test(id) ? id : randomUUID() };
}
