import { resolve } from 'node:path';
import { CaveConfig } from './cave-config';
import { ConfigError } from './config.errors';
import { loadLlmConfig } from './llm-config';

type Env = Record<string, string | undefined>;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * The only place that reads environment variables. Every problem is collected so an operator
 * fixes a broken deployment in one round instead of one variable per restart.
 */
export function loadConfig(env: Env = process.env): CaveConfig {
  const problems: string[] = [];
  const str = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  // Secrets are HMAC keys used byte for byte: never trimmed.
  const secret = (name: string): string | undefined => (str(name) === undefined ? undefined : env[name]);
  const int = (name: string, def: number, min: number, max: number): number => {
    const raw = str(name);
    if (raw === undefined) return def;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
      return def;
    }
    return n;
  };

  const databaseUrl = str('DATABASE_URL');
  if (databaseUrl !== undefined) {
    try {
      const u = new URL(databaseUrl);
      if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
        problems.push('DATABASE_URL must start with postgres:// or postgresql://');
      }
    } catch {
      problems.push('DATABASE_URL is not a valid URL');
    }
  }

  const logLevel = (str('LOG_LEVEL') ?? 'info') as CaveConfig['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);

  const bootstrapAdminKey = str('CAVE_BOOTSTRAP_ADMIN_KEY');
  if (bootstrapAdminKey !== undefined && !/^cave_sk_[A-Za-z0-9_-]{24,}$/.test(bootstrapAdminKey)) {
    // The value itself is a secret: never echo it back.
    problems.push('CAVE_BOOTSTRAP_ADMIN_KEY must look like cave_sk_<at least 24 of [A-Za-z0-9_-]> (32+ characters)');
  }

  const hmacKey = str('CAVE_AUDIT_LOG_HMAC_KEY');
  if (hmacKey !== undefined && hmacKey.length < 16) problems.push('CAVE_AUDIT_LOG_HMAC_KEY must be at least 16 characters');
  const webhookUrl = str('CAVE_ROTATION_WEBHOOK_URL');
  if (webhookUrl !== undefined && !/^https?:\/\//.test(webhookUrl)) problems.push('CAVE_ROTATION_WEBHOOK_URL must be an http(s) URL');
  const rotationSecret = secret('CAVE_ROTATION_WEBHOOK_SECRET');
  // Values are secrets: the messages name the variable, never echo it.
  if (rotationSecret !== undefined && rotationSecret.length < 16) problems.push('CAVE_ROTATION_WEBHOOK_SECRET must be at least 16 characters');
  if (webhookUrl !== undefined && rotationSecret === undefined) problems.push('CAVE_ROTATION_WEBHOOK_URL needs CAVE_ROTATION_WEBHOOK_SECRET (webhooks are always signed)');

  const dataDir = resolve(str('CAVE_DATA_DIR') ?? './data');
  const storageBackend = str('CAVE_STORAGE_BACKEND') ?? 'fs';
  if (storageBackend !== 'fs' && storageBackend !== 's3') problems.push('CAVE_STORAGE_BACKEND must be fs or s3');
  const s3Bucket = str('CAVE_STORAGE_S3_BUCKET');
  if (storageBackend === 's3' && s3Bucket === undefined) problems.push('CAVE_STORAGE_S3_BUCKET is required when CAVE_STORAGE_BACKEND=s3');
  const s3Endpoint = str('CAVE_STORAGE_S3_ENDPOINT');
  if (s3Endpoint !== undefined && !/^https?:\/\//.test(s3Endpoint)) problems.push('CAVE_STORAGE_S3_ENDPOINT must be an http(s) URL');
  const signingSecret = str('CAVE_STORAGE_SIGNING_SECRET');
  if (signingSecret !== undefined && signingSecret.length < 32) problems.push('CAVE_STORAGE_SIGNING_SECRET must be at least 32 characters');
  const big = (name: string, def: number): number => {
    const raw = str(name);
    if (raw === undefined) return def;
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < 0) {
      problems.push(`${name} must be a non-negative integer (got "${raw}")`);
      return def;
    }
    return n;
  };
  const peerPort = str('CAVE_PEER_PORT') === undefined ? undefined : int('CAVE_PEER_PORT', 0, 0, 65535);
  const peerFiles = { caFile: str('CAVE_PEER_CA_FILE'), certFile: str('CAVE_PEER_CERT_FILE'), keyFile: str('CAVE_PEER_KEY_FILE') };
  if (peerPort !== undefined && Object.values(peerFiles).some((f) => f === undefined)) {
    problems.push('CAVE_PEER_PORT needs CAVE_PEER_CA_FILE, CAVE_PEER_CERT_FILE and CAVE_PEER_KEY_FILE (npm run cli -- pki issue-node)');
  }
  const config: CaveConfig = {
    databaseUrl,
    port: int('PORT', 3000, 0, 65535),
    host: str('HOST') ?? '0.0.0.0',
    dataDir,
    logLevel,
    logPretty: str('LOG_PRETTY') === 'true',
    bootstrapAdminKey,
    bootstrapAdminKeyReissue: str('CAVE_BOOTSTRAP_ADMIN_KEY_REISSUE') === 'true',
    database: {
      connectTimeoutMs: int('CAVE_DB_CONNECT_TIMEOUT_MS', 5_000, 100, 600_000),
      statementTimeoutMs: int('CAVE_DB_STATEMENT_TIMEOUT_MS', 15_000, 100, 3_600_000),
      queryTimeoutMs: int('CAVE_DB_QUERY_TIMEOUT_MS', 20_000, 100, 3_600_000),
    },
    audit: {
      hmacKey,
      hmacPreviousKeys: (str('CAVE_AUDIT_LOG_HMAC_PREVIOUS_KEYS') ?? '').split(',').map((s) => s.trim()).filter(Boolean),
      logPath: resolve(str('CAVE_AUDIT_LOG_PATH') ?? './logs/audit.jsonl'),
      signingKey: str('CAVE_AUDIT_SIGNING_KEY'),
    },
    webhooks: {
      rotationSecret,
      rotationPreviousSecret: secret('CAVE_ROTATION_WEBHOOK_PREVIOUS_SECRET'),
      rotationUrl: webhookUrl,
      allowPrivate: str('CAVE_WEBHOOK_ALLOW_PRIVATE') === 'true',
      timeoutMs: int('CAVE_WEBHOOK_TIMEOUT_MS', 10_000, 50, 120_000),
      maxAttempts: int('CAVE_WEBHOOK_MAX_ATTEMPTS', 8, 1, 50),
      backoffBaseMs: int('CAVE_WEBHOOK_BACKOFF_BASE_MS', 5_000, 1, 3_600_000),
      backoffMaxMs: int('CAVE_WEBHOOK_BACKOFF_MAX_MS', 3_600_000, 1, 86_400_000),
      concurrency: int('CAVE_WEBHOOK_CONCURRENCY', 16, 1, 256),
      toleranceSeconds: int('CAVE_WEBHOOK_TOLERANCE_SECONDS', 300, 1, 3600),
    },
    authThrottle: {
      maxFailures: int('CAVE_AUTH_FAILURE_LIMIT', 20, 0, 1_000_000),
      windowSeconds: int('CAVE_AUTH_FAILURE_WINDOW_SECONDS', 60, 1, 86_400),
    },
    bodyLimitBytes: int('CAVE_BODY_LIMIT_BYTES', 1_048_576, 1024, 64 * 1_048_576),
    realtime: {
      maxConnectionsPerAddress: int('CAVE_REALTIME_MAX_CONNECTIONS_PER_ADDRESS', 256, 0, 1_000_000),
    },
    sandbox: {
      workers: int('CAVE_SANDBOX_WORKERS', 2, 1, 64),
      maxModuleBytes: int('CAVE_SANDBOX_MAX_MODULE_BYTES', 8 * 1_048_576, 1024, 256 * 1_048_576),
    },
    // Built by `npm run build:console` (part of `npm run build`, so of `npm start`).
    consoleDir: resolve(str('CAVE_CONSOLE_DIR') ?? './apps/cave-console/dist'),
    storage: {
      backend: storageBackend === 's3' ? 's3' : 'fs',
      fsRoot: resolve(str('CAVE_STORAGE_FS_ROOT') ?? `${dataDir}/storage`),
      s3: {
        endpoint: s3Endpoint,
        region: str('CAVE_STORAGE_S3_REGION') ?? 'us-east-1',
        bucket: s3Bucket,
        accessKeyId: str('CAVE_STORAGE_S3_ACCESS_KEY_ID'),
        secretAccessKey: str('CAVE_STORAGE_S3_SECRET_ACCESS_KEY'),
        forcePathStyle: str('CAVE_STORAGE_S3_FORCE_PATH_STYLE') === 'true',
        prefix: str('CAVE_STORAGE_S3_PREFIX') ?? '',
      },
      signingSecret,
      quotaBytes: big('CAVE_STORAGE_QUOTA_BYTES', 0),
      quotaObjects: big('CAVE_STORAGE_QUOTA_OBJECTS', 0),
      namespaceQuotas: parseQuotas(str('CAVE_STORAGE_NAMESPACE_QUOTAS'), problems),
      maxObjectBytes: big('CAVE_STORAGE_MAX_OBJECT_BYTES', 5 * 1024 ** 3),
      sweepIntervalMs: int('CAVE_STORAGE_SWEEP_INTERVAL_MS', 600_000, 0, 86_400_000),
      sweepGraceMs: int('CAVE_STORAGE_SWEEP_GRACE_MS', 3_600_000, 0, 7 * 86_400_000),
    },
    llm: loadLlmConfig(str, int, problems),
    peers: {
      port: peerPort,
      host: str('CAVE_PEER_HOST') ?? str('HOST') ?? '0.0.0.0',
      ...(peerFiles.caFile !== undefined && { caFile: resolve(peerFiles.caFile) }),
      ...(peerFiles.certFile !== undefined && { certFile: resolve(peerFiles.certFile) }),
      ...(peerFiles.keyFile !== undefined && { keyFile: resolve(peerFiles.keyFile) }),
      healthIntervalMs: int('CAVE_PEER_HEALTH_INTERVAL_MS', 10_000, 100, 3_600_000),
      requestTimeoutMs: int('CAVE_PEER_REQUEST_TIMEOUT_MS', 15_000, 100, 600_000),
      peerBandwidthBytesPerSec: big('CAVE_PEER_BANDWIDTH_BYTES_PER_SEC', 0),
      jobBandwidthBytesPerSec: big('CAVE_REPLICATION_BANDWIDTH_BYTES_PER_SEC', 0),
      concurrencyPerSource: int('CAVE_REPLICATION_CONCURRENCY_PER_SOURCE', 4, 1, 64),
      corruptLimit: int('CAVE_PEER_CORRUPT_LIMIT', 3, 1, 1000),
      claimIntervalMs: int('CAVE_REPLICATION_CLAIM_INTERVAL_MS', 5_000, 100, 600_000),
    },
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** `ns:bytes:objects,...` (0 = unlimited). */
function parseQuotas(raw: string | undefined, problems: string[]): Record<string, { bytes: number; objects: number }> {
  const out: Record<string, { bytes: number; objects: number }> = {};
  for (const entry of (raw ?? '').split(',').map((e) => e.trim()).filter(Boolean)) {
    const m = /^([a-z0-9][a-z0-9_-]{0,62}):(\d{1,16}):(\d{1,16})$/.exec(entry);
    if (!m) {
      problems.push(`CAVE_STORAGE_NAMESPACE_QUOTAS entries look like <namespace>:<bytes>:<objects> (got "${entry}")`);
      continue;
    }
    out[m[1]] = { bytes: Number(m[2]), objects: Number(m[3]) };
  }
  return out;
}
