export { IdempotencyKeyInUseError, IdempotencyKeyInvalidError, IdempotencyKeyReusedError } from './idempotency.errors';
export { IDEMPOTENCY_HEADER, IdempotencyInterceptor } from './idempotency.interceptor';
export { IdempotencyModule } from './idempotency.module';
export { DEFAULT_TIMINGS, IdempotencyStore } from './idempotency.store';
export type { Claim, IdempotencyTimings, StoredResponse } from './idempotency.store';
export { Idempotent } from './idempotent.decorator';
export { canonicalJson, requestFingerprint } from './request-fingerprint';
