/** Typed runtime configuration. Built once from the environment by `loadConfig`. */
export interface CaveConfig {
  /** Postgres URL of a role that may run migrations; undefined = start the embedded server. */
  databaseUrl?: string;
  port: number;
  host: string;
  /** Root for everything CAVE keeps on disk (embedded Postgres cluster, generated keys). */
  dataDir: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Pretty logs for humans; JSON otherwise. */
  logPretty: boolean;
  bootstrapAdminKey?: string;
  audit: {
    hmacKey?: string;
    hmacPreviousKeys: string[];
    logPath: string;
    signingKey?: string;
  };
  webhooks: {
    /** Signs rotation webhooks (`X-Cave-Webhook-Signature`, byte for byte as the HMAC key) and verifies received ones. */
    rotationSecret?: string;
    /** The secret being retired: still accepted on receipt and signed with (one more `v1=`) on delivery. */
    rotationPreviousSecret?: string;
    /** Operator endpoint that gets every `key_rotated` webhook. */
    rotationUrl?: string;
    /** Deliver to (and register) private, loopback and link-local addresses (SSRF guard off). */
    allowPrivate: boolean;
    /** Per attempt: connect + response headers + body (ms). */
    timeoutMs: number;
    /** Attempts before a delivery is dead-lettered. */
    maxAttempts: number;
    /** Backoff before retry n is base * 2^(n-1), capped at max, with jitter (ms). */
    backoffBaseMs: number;
    backoffMaxMs: number;
    /** Deliveries in flight per instance. */
    concurrency: number;
    /** Receiver: accepted clock skew in both directions (seconds). */
    toleranceSeconds: number;
  };
  /** Per-address throttle of failed authentications (per instance, in memory). */
  authThrottle: {
    /** Failures per address within the window before further requests get 429; 0 disables. */
    maxFailures: number;
    windowSeconds: number;
  };
  /** Upper bound of a request body in bytes; larger bodies get 413. */
  bodyLimitBytes: number;
  /** Built admin console (static files served at /console/). */
  consoleDir: string;
}
