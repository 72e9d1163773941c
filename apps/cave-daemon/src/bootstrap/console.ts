import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { problemType } from '@cave/http';

/**
 * Strict policy for the admin console: only its own scripts and styles (no inline code, no eval),
 * API calls and the Socket.IO websocket to this origin only, never framed.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'x-frame-options': 'DENY',
};

/**
 * Serves the built console (apps/cave-console) as public static files at /console/. It holds no
 * secret and no data: everything it shows comes from the API with the key the user signs in with.
 */
export async function mountConsole(app: NestFastifyApplication, dir: string): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.get('/console', (_req, reply) => void reply.redirect('/console/', 301));
  if (!existsSync(join(dir, 'index.html'))) {
    // A checkout that never ran `npm run build`: say so instead of a bare 404.
    fastify.get('/console/*', (_req, reply) =>
      void reply
        .status(503)
        .header('content-type', 'application/problem+json; charset=utf-8')
        .send({
          type: problemType('CONSOLE.NOT_BUILT'),
          title: 'Service Unavailable',
          status: 503,
          detail: 'the console is not built: run `npm run build:console`',
          code: 'CONSOLE.NOT_BUILT',
        }),
    );
    return;
  }
  await app.register(fastifyStatic, {
    root: dir,
    prefix: '/console/',
    // Swagger UI registers @fastify/static too; only one may decorate the reply.
    decorateReply: false,
    // Our own Cache-Control below (send's default would overwrite it).
    cacheControl: false,
    index: ['index.html'],
    setHeaders: (res, path) => {
      for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
      // Hashed asset names never change content; the page itself must be revalidated to pick up a new build.
      res.setHeader('cache-control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
}
