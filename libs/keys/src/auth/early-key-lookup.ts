import { Injectable, OnModuleInit, Optional } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Principal } from '@cave/kernel';
import { bearerToken } from './api-key-secret';
import { ApiKeyAuthenticator } from './api-key.authenticator';
import { AuthThrottle } from './auth-throttle';

interface Started {
  token: string;
  principal: Promise<Principal | undefined>;
}

/**
 * Starts a request's API-key lookup once its headers are in (Fastify's onRequest), so its round trip overlaps the
 * body's arrival and parsing and the pipeline up to the guard, which then takes this lookup instead of starting its
 * own. The lookup is still sent after the request arrived, so it sees every revocation committed before that
 * (ADR 0005).
 *
 * Only for a route that exists, from an address that is not throttled. A lookup that no guard takes (a public
 * route, a body refused before the guard) answers nothing to anyone: the response is the same whatever the key, so
 * it is no guess for the throttle to count.
 */
@Injectable()
export class EarlyKeyLookup implements OnModuleInit {
  /** By the raw request: Fastify's request object and the one Nest hands the guard wrap the same one. */
  private readonly started = new WeakMap<object, Started>();

  constructor(
    private readonly authenticator: ApiKeyAuthenticator,
    private readonly throttle: AuthThrottle,
    @Optional() private readonly adapterHost?: HttpAdapterHost,
  ) {}

  /** On the Fastify instance the app serves with (none in a standalone application context). */
  onModuleInit(): void {
    const fastify = this.adapterHost?.httpAdapter?.getInstance<FastifyInstance>();
    if (typeof fastify?.addHook === 'function') this.install(fastify);
  }

  install(fastify: FastifyInstance): void {
    fastify.addHook('onRequest', (req, _reply, done) => {
      this.start(req);
      done();
    });
  }

  start(req: FastifyRequest): void {
    if (req.routeOptions.url === undefined) return;
    const token = bearerToken(req.headers.authorization);
    if (token === undefined || this.throttle.retryAfterSeconds(req.ip) !== undefined) return;
    const principal = this.authenticator.authenticate(token);
    // Awaited by the guard, which reports a failure; a lookup nobody takes must not fail unhandled.
    principal.catch(() => undefined);
    this.started.set(req.raw, { token, principal });
  }

  /** The lookup started for this request and this token, once; undefined when none was. */
  take(req: FastifyRequest, token: string): Promise<Principal | undefined> | undefined {
    const s = this.started.get(req.raw);
    if (!s) return undefined;
    this.started.delete(req.raw);
    return s.token === token ? s.principal : undefined;
  }
}
