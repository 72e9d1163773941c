import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Options } from 'pino-http';
import { CaveConfig } from '@cave/config';

/** Paths that may carry secrets; pino replaces them before a line is written. */
export const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-cave-webhook-signature"]',
  '*.key',
  '*.token',
  '*.password',
  '*.secret',
];

export function pinoOptions(config: CaveConfig): Options {
  return {
    level: config.logLevel,
    redact: { paths: REDACT, censor: '[redacted]' },
    genReqId: (req: IncomingMessage) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w-]{1,100}$/.test(given) ? given : randomUUID();
    },
    // Probes and scrapes would drown the log.
    autoLogging: { ignore: (req: IncomingMessage) => req.url === '/healthz' || req.url === '/metrics' },
    ...(config.logPretty ? { transport: { target: 'pino-pretty' } } : {}),
  };
}
