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
  /**
   * Issue `bootstrapAdminKey` again although it was revoked (CAVE_BOOTSTRAP_ADMIN_KEY_REISSUE=true). Without it a
   * revoked bootstrap key stays revoked across restarts.
   */
  bootstrapAdminKeyReissue: boolean;
  /** Bounds on every runtime database call, so a stalled server fails requests instead of hanging them. */
  database: {
    /** Opening a connection (pool connect), ms. */
    connectTimeoutMs: number;
    /** A statement's server-side run time (`statement_timeout`), ms. */
    statementTimeoutMs: number;
    /** A query's round trip as the client sees it (covers a stalled server that never answers), ms. */
    queryTimeoutMs: number;
  };
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
  /** Upper bound of a request body in bytes; larger bodies get 413. Object uploads stream and are not bound by it. */
  bodyLimitBytes: number;
  realtime: {
    /**
     * Engine.IO connections one remote address may hold at once (CAVE_REALTIME_MAX_CONNECTIONS_PER_ADDRESS); 0 = no
     * cap, for a daemon behind a proxy that makes every client one address.
     */
    maxConnectionsPerAddress: number;
  };
  sandbox: {
    /** Worker threads that run guest code (each runs one exec at a time). */
    workers: number;
    /** Largest WASI module the upload route parses at all; namespace policies may allow less. */
    maxModuleBytes: number;
  };
  /** Built admin console (static files served at /console/). */
  consoleDir: string;
  storage: StorageConfig;
  llm: LlmConfig;
  peers: PeersConfig;
}

/** One way to serve a model alias (tried in order; the next on failure or timeout before the first token). */
export type LlmProviderConfig =
  | { kind: 'local'; path: string; label?: string }
  | { kind: 'openai-compatible'; baseUrl: string; model: string; apiKey?: string; label?: string };

/** What one namespace may use (`libs/llm`). */
export interface LlmPolicy {
  /** Largest completion (`max_tokens`) a request may ask for; also the default. */
  maxTokens: number;
  /** Prompt + completion tokens at most. */
  contextTokens: number;
  /** Prompt + completion tokens per UTC day over all models; 0 = unlimited. */
  tokensPerDay: number;
  /** Keep prompt and output text in `chat_completed` / `embed_completed` (their SHA-256 is always kept). */
  storeText: boolean;
}

/** Local inference and upstream providers (`libs/llm`). */
export interface LlmConfig {
  /** Aliases from `CAVE_LLM_MODELS` plus the operator's `CAVE_LLM_MODEL_FILE`. `namespaces` absent = every namespace. */
  models: Record<string, { providers: LlmProviderConfig[]; namespaces?: string[] }>;
  /** llama.cpp threads per context (1 on 2 cores is fastest: more threads fight over the cores). */
  threads: number;
  /** Context size a local model is loaded with (capped by its training context). */
  contextSize: number;
  /** Local generations running at once per model; more wait. */
  parallel: number;
  /** How long a provider may take to its first token before the next one is tried. */
  firstTokenTimeoutMs: number;
  /** Least time between two streamed chunks of a local generation (the first is never held); 0 = every token as it comes. */
  streamCoalesceMs: number;
  policy: LlmPolicy;
  /** Per-namespace overrides of `policy`. */
  namespacePolicies: Record<string, Partial<LlmPolicy>>;
}

/** Object storage (`libs/storage`): where bytes live, signed URLs, quotas and the orphan sweeper. */
export interface StorageConfig {
  backend: 'fs' | 's3';
  /** Root of the fs backend (default `<CAVE_DATA_DIR>/storage`). */
  fsRoot: string;
  s3: {
    endpoint?: string;
    region: string;
    bucket?: string;
    accessKeyId?: string;
    secretAccessKey?: string;
    forcePathStyle: boolean;
    /** Key prefix inside the bucket, so several deployments can share one bucket. */
    prefix: string;
  };
  /** HMAC secret of signed URLs; absent = generated once into `<fsRoot>/signing.key`. */
  signingSecret?: string;
  /** Limits of every namespace without an entry in `namespaceQuotas`; 0 = unlimited. */
  quotaBytes: number;
  quotaObjects: number;
  /** Per-namespace overrides (`CAVE_STORAGE_NAMESPACE_QUOTAS=ns:bytes:objects,...`). */
  namespaceQuotas: Record<string, { bytes: number; objects: number }>;
  maxObjectBytes: number;
  sweepIntervalMs: number;
  /** A blob younger than this is never collected (an upload may be about to commit it). */
  sweepGraceMs: number;
}

/** Peer seeding (`libs/peers`): the mutual-TLS listener and replication limits. */
export interface PeersConfig {
  /** Port of the mutual-TLS peer listener; undefined = off (it also needs caFile, certFile and keyFile). */
  port?: number;
  host: string;
  /** PEM of the operator CA: the only issuer accepted from peers, in both directions. */
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  /** How often each registered peer's health is polled (ms). */
  healthIntervalMs: number;
  /** A peer request that sends no byte for this long fails (ms); a chunk is then fetched elsewhere. */
  requestTimeoutMs: number;
  /** Per-source bytes/s for replication downloads; 0 = unlimited. */
  peerBandwidthBytesPerSec: number;
  /** Per-job bytes/s default (a job may ask for less); 0 = unlimited. */
  jobBandwidthBytesPerSec: number;
  /** Chunk requests in flight per source and job. */
  concurrencyPerSource: number;
  /** Corrupt chunks from one peer before it is marked unreliable and avoided. */
  corruptLimit: number;
  /** How often open replication jobs no instance holds are claimed (ms): the takeover delay after a holder dies. */
  claimIntervalMs: number;
}
