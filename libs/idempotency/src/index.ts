export * from './idempotency.errors';
export * from './idempotency.interceptor';
export * from './idempotency.module';
export * from './idempotency.store';
export * from './idempotent.decorator';
export * from './request-fingerprint';
