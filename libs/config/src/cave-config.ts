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
    rotationSecret?: string;
    rotationUrl?: string;
  };
  /** Upper bound of a request body in bytes; larger bodies get 413. */
  bodyLimitBytes: number;
  /** Built admin console (static files served at /console/). */
  consoleDir: string;
}
