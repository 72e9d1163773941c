import { randomUUID } from 'node:crypto';
import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { parseIfMatch } from './etag';

/** Per-request facts a command carries besides its payload. */
export interface RequestMeta {
  /** The request id (X-Request-Id or generated), recorded as correlationId. */
  correlationId: string;
  idempotencyKey?: string;
  /** Version required by If-Match, if any. */
  expectedVersion?: number;
}

// X-Request-Id is client input and ends up in event metadata: only sane ids are kept.
const SAFE_ID = /^[\w.:-]{1,128}$/;

export const CurrentRequestMeta = createParamDecorator((_: unknown, ctx: ExecutionContext): RequestMeta => {
  const req = ctx.switchToHttp().getRequest<FastifyRequest>();
  const key = req.headers['idempotency-key'];
  return {
    correlationId: SAFE_ID.test(String(req.id ?? '')) ? String(req.id) : randomUUID(),
    idempotencyKey: typeof key === 'string' ? key : undefined,
    expectedVersion: parseIfMatch(req.headers['if-match']),
  };
});
