import type { IncomingMessage } from 'node:http';
import type { Options } from 'pino-http';
import { CaveConfig } from '@cave/config';
import { correlationIdFrom } from '@cave/kernel';

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
    // Fastify decided the request's id (create-app.ts) and the middleware layer hands it over as `req.id`;
    // should it ever be missing, the same one rule decides.
    genReqId: (req: IncomingMessage) => req.id ?? correlationIdFrom(req.headers['x-request-id']),
    // Probes and scrapes would drown the log.
    autoLogging: { ignore: (req: IncomingMessage) => req.url === '/healthz' || req.url === '/metrics' },
    ...(config.logPretty ? { transport: { target: 'pino-pretty' } } : {}),
  };
}
