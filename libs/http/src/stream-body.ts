import type { Readable } from 'node:stream';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * Routes whose request body is bytes to stream somewhere (object uploads), not a JSON document: the body reaches
 * the handler as the unread request stream, whatever its media type, and the global body limit does not apply.
 * Fastify picks a body parser by media type only, so for these routes the request's Content-Type is swapped for a
 * private one whose parser hands the stream through; the original stays readable with `requestContentType`.
 */
const STREAM_MEDIA_TYPE = 'application/x-cave-stream-body';
const ORIGINAL_CONTENT_TYPE = Symbol('cave.originalContentType');

/** Marks a route as taking a streamed body (see `registerStreamBodies`). */
export const StreamBody = () => RouteConfig({ streamBody: true });

export function isStreamBodyRoute(req: FastifyRequest): boolean {
  return (req.routeOptions?.config as { streamBody?: boolean } | undefined)?.streamBody === true;
}

/** Installs the hook and parser behind `@StreamBody()`; the composition root calls it once. */
export function registerStreamBodies(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (req, _reply, done) => {
    if (isStreamBodyRoute(req)) {
      (req as unknown as Record<symbol, unknown>)[ORIGINAL_CONTENT_TYPE] = req.headers['content-type'];
      req.headers['content-type'] = STREAM_MEDIA_TYPE;
    }
    done();
  });
  // Not `parseAs`: Fastify reads (and limits) only bodies it parses itself; this one leaves the stream unread.
  fastify.addContentTypeParser(STREAM_MEDIA_TYPE, (_req: FastifyRequest, payload: Readable, done: (err: Error | null, body?: unknown) => void) => done(null, payload));
}

/** The Content-Type the client sent on a `@StreamBody()` route. */
export function requestContentType(req: FastifyRequest): string | undefined {
  const v = (req as unknown as Record<symbol, unknown>)[ORIGINAL_CONTENT_TYPE];
  return typeof v === 'string' ? v : undefined;
}

/** The unread body of a `@StreamBody()` route. */
export function requestBodyStream(req: FastifyRequest): Readable {
  const body = req.body as Readable | undefined;
  if (!body || typeof (body as { pipe?: unknown }).pipe !== 'function') throw new Error('requestBodyStream used on a route without @StreamBody()');
  return body;
}
