import { resolve } from 'node:path';
import { CaveConfig } from './cave-config';
import { ConfigError } from './config.errors';

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

  const dataDir = resolve(str('CAVE_DATA_DIR') ?? './data');
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
    webhooks: { rotationSecret: str('CAVE_ROTATION_WEBHOOK_SECRET'), rotationUrl: webhookUrl },
    bodyLimitBytes: int('CAVE_BODY_LIMIT_BYTES', 1_048_576, 1024, 64 * 1_048_576),
    // Built by `npm run build:console` (part of `npm run build`, so of `npm start`).
    consoleDir: resolve(str('CAVE_CONSOLE_DIR') ?? './apps/cave-console/dist'),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
