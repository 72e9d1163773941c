import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { AttemptResult, parseRetryAfter } from '../domain/retry-policy';
import type { ResolvedAddress } from './address-guard';

export interface SendResult {
  result: AttemptResult;
  latencyMs: number;
}

/** Enough of a response body to free the socket; webhook receivers' answers are not used. */
const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * One POST with a deadline over connect, headers and body. Connects to `address` (checked by the
 * AddressGuard) whatever DNS says now; TLS still verifies the certificate for the URL's host name.
 * Redirects are not followed.
 */
export function sendWebhook(url: URL, address: ResolvedAddress, body: string, headers: Record<string, string>, timeoutMs: number): Promise<SendResult> {
  const started = process.hrtime.bigint();
  const elapsed = () => Math.round(Number(process.hrtime.bigint() - started) / 1e6);
  const lookup: LookupFunction = (_host, opts, cb) => {
    if ((opts as { all?: boolean }).all) (cb as unknown as (e: null, a: ResolvedAddress[]) => void)(null, [address]);
    else cb(null, address.address, address.family);
  };
  const payload = Buffer.from(body, 'utf8');
  return new Promise<SendResult>((resolve) => {
    let settled = false;
    const done = (result: AttemptResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ result, latencyMs: elapsed() });
    };
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
      url,
      {
        method: 'POST',
        lookup,
        agent: false,
        headers: { ...headers, 'content-type': 'application/json', 'content-length': String(payload.length), 'user-agent': 'cave-webhooks/1' },
      },
      (res) => {
        const statusCode = res.statusCode ?? 0;
        const retryAfter = parseRetryAfter(res.headers['retry-after'] as string | undefined, Date.now());
        let seen = 0;
        res.on('data', (chunk: Buffer) => {
          seen += chunk.length;
          if (seen > MAX_RESPONSE_BYTES) res.destroy();
        });
        const finish = () => done({ kind: 'response', statusCode, ...(retryAfter !== undefined && { retryAfterSeconds: retryAfter }) });
        res.on('end', finish);
        res.on('close', finish);
        res.on('error', finish);
      },
    );
    const timer = setTimeout(() => {
      done({ kind: 'timeout' });
      req.destroy();
    }, timeoutMs);
    req.on('error', (e: NodeJS.ErrnoException) => done({ kind: 'connection_error', message: e.code ?? 'connection error' }));
    req.end(payload);
  });
}
