import type { FastifyInstance } from 'fastify';
import { MAX_BODY_DEPTH } from './validation';

/** A JSON body refused before any code walks it: the problem filter renders `problemCode` as a 400. */
export class RequestBodyError extends Error {
  readonly statusCode = 400;

  constructor(
    readonly problemCode: 'HTTP.BODY_TOO_DEEP' | 'HTTP.INVALID_TEXT',
    message: string,
  ) {
    super(message);
  }
}

// Without the `u` flag the pattern sees UTF-16 code units: a high surrogate not followed by a low one, or a
// low one not preceded by a high one. JSON allows them as `\ud800` escapes; no UTF-8 text (and no PostgreSQL
// text or jsonb value) can hold one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function hasLoneSurrogate(s: string): boolean {
  return LONE_SURROGATE.test(s);
}

/**
 * Why a parsed JSON body must be refused, if it must: nesting deeper than `maxDepth`, or a string (value or
 * key) that is not well-formed Unicode. Iterative, so no input can overflow the stack here.
 */
export function checkJsonBody(value: unknown, maxDepth = MAX_BODY_DEPTH): RequestBodyError | undefined {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v === 'string') {
      if (hasLoneSurrogate(v)) return invalidText();
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= maxDepth) return new RequestBodyError('HTTP.BODY_TOO_DEEP', `body must not nest deeper than ${maxDepth} levels`);
    for (const [k, child] of Object.entries(v as object)) {
      if (hasLoneSurrogate(k)) return invalidText();
      stack.push([child, depth + 1]);
    }
  }
  return undefined;
}

const invalidText = () => new RequestBodyError('HTTP.INVALID_TEXT', 'text must be well-formed Unicode (no lone UTF-16 surrogates)');

/**
 * Replaces Fastify's JSON parser with the same parser plus `checkJsonBody`, so the limits hold on every route
 * (with or without a body DTO) before an interceptor, guard or pipe sees the body: the idempotency fingerprint
 * and class-transformer both recurse.
 */
export function installCheckedJsonParser(fastify: FastifyInstance): void {
  // As Nest's own parser (create the app with `bodyParser: false`): `__proto__` and `constructor` are errors.
  const parse = fastify.getDefaultJsonParser('error', 'error');
  if (fastify.hasContentTypeParser('application/json')) fastify.removeContentTypeParser('application/json');
  // Parsed from the bytes, which stay on the request: webhook signatures are verified over `req.rawBody`.
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    (req as { rawBody?: Buffer }).rawBody = body as Buffer;
    parse(req, (body as Buffer).toString('utf8'), (error: Error | null, value?: unknown) => {
      if (error) return done(error, undefined);
      const refused = checkJsonBody(value);
      return refused ? done(refused, undefined) : done(null, value);
    });
  });
}
