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
    rotationSecret?: string;
    rotationUrl?: string;
  };
  /** Upper bound of a request body in bytes; larger bodies get 413. */
  bodyLimitBytes: number;
  /** Built admin console (static files served at /console/). */
  consoleDir: string;
}
