import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { IS_PUBLIC, READS_OPTIONAL_KEY, REQUIRED_ROLE } from '@cave/http';
import type { Principal } from '@cave/kernel';
import { bearerToken, isWellFormedApiKey, presentedToken } from './api-key-secret';
import { ApiKeyAuthenticator } from './api-key.authenticator';
import { AuthThrottle } from './auth-throttle';
import { ForbiddenError, TooManyAuthFailuresError, UnauthorizedError } from './auth.errors';
import { AuthMetrics } from './auth.metrics';
import { EarlyKeyLookup } from './early-key-lookup';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by ApiKeyGuard on every non-public route. */
    principal?: Principal;
  }
}

/**
 * Global guard (APP_GUARD): every HTTP route needs `Authorization: Bearer cave_sk_...` unless it is
 * `@Public()`; `@AdminOnly()` routes need an admin key. Failures are domain errors, rendered as
 * problem+json by the one filter. Socket.IO authenticates in its handshake with ApiKeyAuthenticator,
 * so non-HTTP contexts are left to their transport.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: ApiKeyAuthenticator,
    private readonly metrics: AuthMetrics,
    private readonly throttle: AuthThrottle,
    private readonly early: EarlyKeyLookup,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const targets = [ctx.getHandler(), ctx.getClass()];
    const http = ctx.switchToHttp();
    const req = http.getRequest<FastifyRequest>();
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) {
      if (this.reflector.getAllAndOverride<boolean>(READS_OPTIONAL_KEY, targets)) await this.optionalPrincipal(req);
      return true;
    }
    const reply = http.getResponse<FastifyReply>();
    const address = req.ip;
    const wait = this.throttle.retryAfterSeconds(address);
    if (wait !== undefined) {
      this.metrics.failures.inc({ reason: 'throttled' });
      void reply.header('retry-after', String(wait));
      throw new TooManyAuthFailuresError(`too many failed authentications from this address; retry in ${wait} s`, { retryAfterSeconds: wait });
    }
    const reject = (reason: 'missing' | 'malformed' | 'invalid', detail: string): UnauthorizedError => {
      this.metrics.failures.inc({ reason });
      // A request without any credentials is not a guess; only presented keys count towards the throttle.
      if (reason !== 'missing') this.throttle.recordFailure(address);
      // RFC 6750 §3: a challenge on every 401; error="invalid_token" once a token was presented.
      void reply.header('www-authenticate', reason === 'missing' ? 'Bearer realm="cave"' : 'Bearer realm="cave", error="invalid_token"');
      return new UnauthorizedError(detail);
    };

    const header = req.headers.authorization;
    if (header === undefined || header === '') throw reject('missing', 'missing Authorization: Bearer <API key> header');
    const token = presentedToken(header);
    if (token === undefined || !isWellFormedApiKey(token)) throw reject('malformed', 'Authorization must be "Bearer cave_sk_..."');
    const principal = await (this.early.take(req, token) ?? this.authenticator.authenticate(token));
    if (!principal) throw reject('invalid', 'invalid or revoked API key');
    req.principal = principal;

    const required = this.reflector.getAllAndOverride<string | undefined>(REQUIRED_ROLE, targets);
    if (required === 'admin' && principal.role !== 'admin') {
      this.metrics.failures.inc({ reason: 'forbidden' });
      throw new ForbiddenError('this route needs an admin API key');
    }
    return true;
  }

  /**
   * A public route that shows more to admins: a presented key that checks out within a short budget puts
   * its principal on the request; anything else (no key, a bad one, a database too slow to say) answers
   * anonymously. /healthz must answer while the database stalls, so it never waits for the lookup.
   */
  private async optionalPrincipal(req: FastifyRequest): Promise<void> {
    const token = bearerToken(req.headers.authorization);
    if (token === undefined) return;
    let timer: NodeJS.Timeout | undefined;
    const giveUp = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), OPTIONAL_KEY_BUDGET_MS);
    });
    const lookup = this.early.take(req, token) ?? this.authenticator.authenticate(token);
    const principal = await Promise.race([lookup.catch(() => undefined), giveUp]).finally(() => clearTimeout(timer));
    if (principal) req.principal = principal;
  }
}

const OPTIONAL_KEY_BUDGET_MS = 500;
