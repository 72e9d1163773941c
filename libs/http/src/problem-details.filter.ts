import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, VALIDATION_CODE } from '@cave/kernel';
import { LogThrottle } from '@cave/observability';
import { ProblemDto } from './problem.dto';
import { isDatabaseUnavailable, problemType, STATUS_BY_KIND, TITLES } from './problem-mapping';
import { RequestBodyError } from './json-body';
import { RequestValidationError } from './validation';

interface CodedError {
  code?: unknown;
  statusCode?: unknown;
  message?: unknown;
}

/**
 * Every error leaves as application/problem+json (RFC 9457). Domain errors map by kind, framework
 * errors keep their 4xx status, anything else is a logged 500 whose detail reveals nothing.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');
  /** Any bearer-shaped token reaches the key lookup: during an outage every request would log a line. */
  private readonly unavailable = new LogThrottle(10_000);

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const req = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const problem = this.toProblem(exception, req);
    if (problem.status === 503) {
      const line = this.unavailable.admit('database');
      if (line) this.logger.warn({ err: exception, url: req.url, method: req.method, suppressed: line.suppressed }, 'database unavailable (503; further ones for 10 s are counted, not logged)');
      void reply.header('retry-after', '1');
    } else if (problem.status === 429) {
      void reply.header('retry-after', String((problem as { retryAfterSeconds?: number }).retryAfterSeconds ?? 1));
    } else if (problem.status >= 500) {
      this.logger.error({ err: exception, url: req.url, method: req.method }, 'unhandled error');
    }
    void reply.status(problem.status).header('content-type', 'application/problem+json; charset=utf-8').send(problem);
  }

  private toProblem(e: unknown, req: FastifyRequest): ProblemDto {
    // Extension members first: an error's `details` may add fields, never replace the ones that identify it
    // (a `status` detail must not turn a 404 body into a 200, nor `type` point clients at another problem).
    const make = (status: number, code: string, detail: string, extra: Record<string, unknown> = {}): ProblemDto => ({
      ...extra,
      type: problemType(code),
      title: TITLES[status] ?? 'Error',
      status,
      detail,
      code,
    });
    if (e instanceof DomainError) {
      return make(STATUS_BY_KIND[e.kind], e.code, e.message, e.details ?? {});
    }
    const coded = (e ?? {}) as CodedError;
    if (coded.code === 'EVENT_STORE.CONCURRENCY') {
      // A stale If-Match is a failed precondition; a race between two writers is a conflict.
      const status = req.headers['if-match'] !== undefined ? 412 : 409;
      return make(status, status === 412 ? 'HTTP.PRECONDITION_FAILED' : 'EVENT_STORE.CONCURRENCY', String(coded.message));
    }
    // Text PostgreSQL cannot store (a NUL byte, e.g. `%00` in a path or `\u0000` in JSON) is the
    // client's input, wherever it reached the database: 400, not a 500.
    if (coded.code === '22021' || coded.code === '22P05') return make(400, 'HTTP.INVALID_TEXT', 'text must not contain NUL characters');
    if (e instanceof RequestBodyError) return make(400, e.problemCode, e.message);
    // The last line behind the edge checks: a value PostgreSQL cannot read as its type (text that is not
    // valid in a jsonb, an id that is no uuid) came from the request.
    if (coded.code === '22P02') return make(400, 'HTTP.INVALID_TEXT', 'a value in the request is not valid for its field');
    // A lost database is an outage to retry after, not a bug: 503, and the detail names no host.
    if (isDatabaseUnavailable(e)) return make(503, 'HTTP.DATABASE_UNAVAILABLE', 'the database is unavailable; retry later');
    if (coded.code === 'EVENT_STORE.INVALID_CURSOR') return make(400, 'HTTP.INVALID_CURSOR', String(coded.message));
    if (e instanceof RequestValidationError) {
      return make(400, VALIDATION_CODE, 'request validation failed', { errors: e.fieldErrors });
    }
    if (e instanceof HttpException) {
      const status = e.getStatus();
      const body = e.getResponse();
      const detail =
        typeof body === 'string' ? body : Array.isArray((body as { message?: unknown }).message)
          ? ((body as { message: string[] }).message).join('; ')
          : String((body as { message?: unknown }).message ?? e.message);
      return make(status, `HTTP.${(TITLES[status] ?? 'ERROR').toUpperCase().replace(/ /g, '_')}`, detail);
    }
    // Fastify's own errors (bad JSON, body too large, wrong content type) carry a 4xx statusCode.
    if (typeof coded.statusCode === 'number' && coded.statusCode >= 400 && coded.statusCode < 500) {
      const status = coded.statusCode;
      const code = status === 413 ? 'HTTP.PAYLOAD_TOO_LARGE' : status === 415 ? 'HTTP.UNSUPPORTED_MEDIA_TYPE' : 'HTTP.BAD_REQUEST';
      return make(status, code, String(coded.message ?? 'bad request'));
    }
    return make(500, 'HTTP.INTERNAL', 'internal error; see server logs');
  }
}
