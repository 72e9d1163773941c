import type { IncomingMessage } from 'node:http';
import { NestFactory } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { CaveConfig } from '@cave/config';
import { DatabaseUrls } from '@cave/event-store';
import { correlationIdFrom } from '@cave/kernel';
import { createValidationPipe, installCheckedJsonParser, isStreamBodyRoute, problemClientErrorHandler, ProblemDetailsFilter, problemType, registerStreamBodies, TITLES } from '@cave/http';
import { MetricsService } from '@cave/observability';
import { AppModule } from '../app.module';
import { mountConsole } from './console';
import { buildOpenApiDocument, mountSwagger } from './swagger';

const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json\s*(;|$)/i;
const WASM_MEDIA_TYPE = /^application\/wasm\s*(;|$)/i;

/** Builds the fully configured application (used by main, the OpenAPI generator and e2e tests). */
export async function createApp(config: CaveConfig, db: DatabaseUrls, opts: { silent?: boolean; logDestination?: DestinationStream } = {}): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    trustProxy: true,
    logger: false,
    // The request id is decided once, by the kernel's one correlation-id rule: the log line's `req.id` and the
    // events' `correlationId` are then the same value, also when X-Request-Id is absent or not sane.
    requestIdHeader: false,
    genReqId: (req: IncomingMessage) => correlationIdFrom(req.headers['x-request-id']),
    clientErrorHandler: problemClientErrorHandler,
    // Fastify answers URLs it cannot decode (e.g. `%FF` in a path) before Nest's filter runs;
    // they are the client's fault and leave as problem+json like every other 4xx.
    frameworkErrors: (error: Error & { statusCode?: number }, _req: FastifyRequest, reply: FastifyReply) => {
      const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
      void reply
        .status(status)
        .header('content-type', 'application/problem+json; charset=utf-8')
        .send({ type: problemType('HTTP.BAD_URL'), title: TITLES[status] ?? 'Bad Request', status, detail: error.message, code: 'HTTP.BAD_URL' });
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, db, opts.logDestination), adapter, {
    bufferLogs: true,
    abortOnError: false,
    // The JSON parser is ours (installCheckedJsonParser): depth and Unicode checks before anything walks a body.
    bodyParser: false,
    logger: opts.silent ? false : undefined,
  });
  if (!opts.silent) app.useLogger(app.get(Logger));
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ProblemDetailsFilter());

  const metrics = app.get(MetricsService);
  const fastify = app.getHttpAdapter().getInstance();
  installCheckedJsonParser(fastify);
  fastify.addContentTypeParser('application/wasm', { parseAs: 'buffer', bodyLimit: config.sandbox.maxModuleBytes }, (_req, body, done) => done(null, body));
  // A JSON API: a body in any other media type (form data, text) is 415, not parsed into strings
  // that then fail validation confusingly. Bodiless requests need no content type.
  // Object uploads (`@StreamBody()` routes) carry bytes of any media type, streamed unbuffered and unlimited here.
  registerStreamBodies(fastify);
  fastify.addHook('preParsing', async (req, _reply, payload) => {
    if (isStreamBodyRoute(req)) return payload;
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    const type = req.headers['content-type'] ?? '';
    // The one binary route: a WASI module upload (PUT /api/v1/sandboxes/:id/module).
    if (hasBody && WASM_MEDIA_TYPE.test(type) && req.method === 'PUT' && /\/module$/.test(req.url.split('?')[0])) return payload;
    if (hasBody && !JSON_MEDIA_TYPE.test(type)) {
      throw Object.assign(new Error(`unsupported media type ${JSON.stringify(req.headers['content-type'] ?? '')}: send application/json`), {
        statusCode: 415,
      });
    }
    return payload;
  });
  fastify.addHook('onResponse', async (req, reply) => {
    // The route template (not the raw URL) keeps label cardinality bounded.
    const route = req.routeOptions?.url ?? 'unmatched';
    metrics.httpDuration.observe({ method: req.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });

  mountSwagger(app, buildOpenApiDocument(app));
  await mountConsole(app, config.consoleDir);
  return app;
}
