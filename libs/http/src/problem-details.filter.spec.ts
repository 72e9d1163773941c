import type { ArgumentsHost } from '@nestjs/common';
import { DomainError } from '@cave/kernel';
import { ProblemDetailsFilter } from './problem-details.filter';

/** The filter over a fake Fastify reply: what status and code a given error leaves as. */
function render(error: unknown, headers: Record<string, string> = {}): { status: number; body: Record<string, unknown> } {
  const out: { status: number; body: Record<string, unknown> } = { status: 0, body: { code: '' } };
  const reply = {
    status: (s: number) => ((out.status = s), reply),
    header: () => reply,
    send: (b: Record<string, unknown>) => ((out.body = b), reply),
  };
  const host = { getType: () => 'http', switchToHttp: () => ({ getRequest: () => ({ headers, url: '/x', method: 'POST' }), getResponse: () => reply }) };
  new ProblemDetailsFilter().catch(error, host as unknown as ArgumentsHost);
  return out;
}

describe('ProblemDetailsFilter', () => {
  const concurrency = Object.assign(new Error('stream moved on'), { code: 'EVENT_STORE.CONCURRENCY' });

  it('a write race without If-Match is 409, with a stale If-Match 412', () => {
    expect(render(concurrency)).toMatchObject({ status: 409, body: { code: 'EVENT_STORE.CONCURRENCY' } });
    expect(render(concurrency, { 'if-match': '"3"' })).toMatchObject({ status: 412, body: { code: 'HTTP.PRECONDITION_FAILED' } });
  });

  it('PostgreSQL 22P02 (a value not valid for its type) is the request\'s fault: 400', () => {
    expect(render(Object.assign(new Error('invalid input syntax for type json'), { code: '22P02' }))).toMatchObject({ status: 400, body: { code: 'HTTP.INVALID_TEXT' } });
  });

  it('a statement timeout or an unanswered query is 503, not 500', () => {
    expect(render(Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' })).status).toBe(503);
    expect(render(new Error('Query read timeout')).status).toBe(503);
  });

  it("a domain error's details add members but cannot replace status, type, title, code or detail", () => {
    class Shadowing extends DomainError {
      readonly kind = 'not_found' as const;
      readonly code = 'TEST.SHADOWING';
      constructor() {
        super('no such thing', { status: 200, type: 'https://evil.example/ok', title: 'OK', code: 'TEST.OTHER', detail: 'fine', bucket: 'b1' });
      }
    }
    const out = render(new Shadowing());
    expect(out.status).toBe(404);
    expect(out.body).toEqual({ status: 404, type: 'https://cave.dev/problems/test.shadowing', title: 'Not Found', code: 'TEST.SHADOWING', detail: 'no such thing', bucket: 'b1' });
    expect(out.body.type).not.toBe('https://evil.example/ok');
  });
});
