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

export const CurrentRequestMeta = createParamDecorator((_: unknown, ctx: ExecutionContext): RequestMeta => {
  const req = ctx.switchToHttp().getRequest<FastifyRequest>();
  const key = req.headers['idempotency-key'];
  return {
    correlationId: String(req.id),
    idempotencyKey: typeof key === 'string' ? key : undefined,
    expectedVersion: parseIfMatch(req.headers['if-match']),
  };
});
