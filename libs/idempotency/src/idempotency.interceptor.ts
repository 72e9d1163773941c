import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, Observable, of } from 'rxjs';
import { catchError, mergeMap } from 'rxjs/operators';
import type { Principal } from '@cave/kernel';
import { IdempotencyKeyInUseError, IdempotencyKeyInvalidError, IdempotencyKeyReusedError } from './idempotency.errors';
import { IdempotencyStore } from './idempotency.store';
import { requestFingerprint } from './request-fingerprint';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** Response headers that are part of "the first response" and are replayed with it. */
const REPLAYED_HEADERS = ['etag', 'location'];
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/**
 * Stripe-style `Idempotency-Key` for unsafe methods. The first request with a key claims it, runs,
 * and its response (status, body, ETag, Location) is stored; a retry with the same key and the same
 * request gets that response back (`Idempotent-Replayed: true`) without running the handler again.
 * The same key with a different request is 422; a duplicate that arrives while the first still runs
 * is 409 with Retry-After (when the first one's lease ends). A failed request releases the key: our commands are atomic, so a failure
 * committed nothing and running again is safe.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(private readonly store: IdempotencyStore) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = ctx.switchToHttp().getRequest<FastifyRequest & { principal?: Principal }>();
    const reply = ctx.switchToHttp().getResponse<FastifyReply>();
    const raw = req.headers[IDEMPOTENCY_HEADER];
    if (raw === undefined || !req.principal) return next.handle();
    if (typeof raw !== 'string' || !KEY_PATTERN.test(raw)) throw new IdempotencyKeyInvalidError();
    const { namespace } = req.principal;
    const fingerprint = requestFingerprint(req.method, req.url, req.body);

    return from(this.store.claim(namespace, raw, fingerprint)).pipe(
      mergeMap((claim) => {
        switch (claim.kind) {
          case 'mismatch':
            this.store.count('mismatch');
            throw new IdempotencyKeyReusedError();
          case 'in_progress':
            this.store.count('in_progress');
            void reply.header('retry-after', String(claim.retryAfterSeconds));
            throw new IdempotencyKeyInUseError();
          case 'replay': {
            this.store.count('replayed');
            void reply.status(claim.response.status);
            for (const [name, value] of Object.entries(claim.response.headers)) void reply.header(name, value);
            void reply.header('idempotent-replayed', 'true');
            return of(claim.response.body === null ? undefined : JSON.parse(claim.response.body));
          }
          case 'claimed':
            this.store.count('executed');
            return next.handle().pipe(
              mergeMap(async (body: unknown) => {
                const headers: Record<string, string> = {};
                for (const name of REPLAYED_HEADERS) {
                  const v = reply.getHeader(name);
                  if (v !== undefined) headers[name] = String(v);
                }
                const serialised = body === undefined ? null : JSON.stringify(body);
                await this.store.complete(namespace, raw, fingerprint, { status: reply.statusCode, headers, body: serialised });
                return body;
              }),
              catchError(async (e: unknown) => {
                await this.store.release(namespace, raw, fingerprint).catch(() => undefined);
                throw e;
              }),
            );
        }
      }),
    );
  }
}
