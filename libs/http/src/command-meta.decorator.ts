import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { CommandMeta, commandMetaFor, Principal } from '@cave/kernel';
import { parseIfMatch } from './etag';

/** Set by `@Idempotent()`: only such routes validate `Idempotency-Key`, so only they pass it on to commands. */
export const IDEMPOTENT_ROUTE = 'cave:idempotent';

/**
 * The CommandMeta of this request, built once here for every REST command: actor, namespace and role from
 * the authenticated principal, correlation id from the request id (X-Request-Id when it is sane), and on
 * idempotent routes the `Idempotency-Key`.
 */
export const CurrentCommandMeta = createParamDecorator((_: unknown, ctx: ExecutionContext): CommandMeta => {
  const req = ctx.switchToHttp().getRequest<FastifyRequest & { principal?: Principal }>();
  if (!req.principal) throw new Error('CurrentCommandMeta used on a route the API-key guard did not authenticate');
  const key = req.headers['idempotency-key'];
  const idempotent = Reflect.getMetadata(IDEMPOTENT_ROUTE, ctx.getHandler()) === true;
  return commandMetaFor(req.principal, { channel: 'http', requestId: req.id, idempotencyKey: idempotent && typeof key === 'string' ? key : undefined });
});

/** The stream version If-Match requires (undefined when absent or `*`); a malformed header is a 400. */
export const IfMatchVersion = createParamDecorator((_: unknown, ctx: ExecutionContext): number | undefined =>
  parseIfMatch(ctx.switchToHttp().getRequest<FastifyRequest>().headers['if-match']),
);
