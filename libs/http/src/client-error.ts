import type { Socket } from 'node:net';
import { problemType, TITLES } from './problem-mapping';

/**
 * Requests Node's HTTP parser refuses before Fastify sees them (headers too large, a malformed request line
 * or framing) still answer application/problem+json with a stable code, like every other 4xx. Fastify's
 * `clientErrorHandler` option; the connection is closed afterwards, as Node does.
 */
export function problemClientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, detail] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'HTTP.HEADERS_TOO_LARGE', 'the request headers exceed the allowed size']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'HTTP.REQUEST_TIMEOUT', 'the request was not received in time']
        : [400, 'HTTP.MALFORMED_REQUEST', 'the request could not be parsed as HTTP/1.1'];
  const title = TITLES[status] ?? 'Bad Request';
  const body = JSON.stringify({ type: problemType(code), title, status, detail, code });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${title}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/problem+json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
