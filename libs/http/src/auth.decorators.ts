import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Principal } from '@cave/kernel';

/** Metadata keys read by the API-key guard (implemented in the keys context). */
export const IS_PUBLIC = 'cave:isPublic';
export const REQUIRED_ROLE = 'cave:requiredRole';

/** Route needs no API key (/healthz, /metrics, docs). Everything else does. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** Route (or controller) only for admin keys; members get 403. */
export const AdminOnly = () => SetMetadata(REQUIRED_ROLE, 'admin');

/** The request's authenticated principal, put on the request by the guard as `principal`. */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const req = ctx.switchToHttp().getRequest<{ principal?: Principal }>();
  if (!req.principal) throw new Error('CurrentPrincipal used on a route the API-key guard did not authenticate');
  return req.principal;
});
