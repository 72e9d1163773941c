import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Principal } from '@cave/kernel';

/** Metadata keys read by the API-key guard (implemented in the keys context). */
export const IS_PUBLIC = 'cave:isPublic';
export const REQUIRED_ROLE = 'cave:requiredRole';

/** Route needs no API key (/healthz, /metrics, docs). Everything else does. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** Metadata: a public route that still reads a presented key (details for admins, a coarse answer for others). */
export const READS_OPTIONAL_KEY = 'cave:readsOptionalKey';

/**
 * `@Public()` route that authenticates a key when one is sent and puts the principal on the request; without
 * a key, with a bad one, or when the key cannot be checked quickly, the route answers anonymously.
 */
export const PublicWithOptionalKey = () => (target: object, key?: string | symbol, descriptor?: PropertyDescriptor) => {
  SetMetadata(IS_PUBLIC, true)(target, key!, descriptor!);
  SetMetadata(READS_OPTIONAL_KEY, true)(target, key!, descriptor!);
};

/** The principal when the guard authenticated one, else undefined (for `@PublicWithOptionalKey()` routes). */
export const OptionalPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal | undefined => {
  return ctx.switchToHttp().getRequest<{ principal?: Principal }>().principal;
});

/** Route (or controller) only for admin keys; members get 403. */
export const AdminOnly = () => SetMetadata(REQUIRED_ROLE, 'admin');

/** The request's authenticated principal, put on the request by the guard as `principal`. */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const req = ctx.switchToHttp().getRequest<{ principal?: Principal }>();
  if (!req.principal) throw new Error('CurrentPrincipal used on a route the API-key guard did not authenticate');
  return req.principal;
});
