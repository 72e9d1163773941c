import { createHmac, timingSafeEqual } from 'node:crypto';
import { SignatureInvalidError, SignatureMalformedError, SignatureMissingError, TimestampFutureError, TimestampStaleError } from './webhook.errors';

/** The header CAVE signs with, in Stripe's scheme (`t=<unix>,v1=<hex>[,v1=<hex>...]`). */
export const CAVE_SIGNATURE_HEADER = 'x-cave-webhook-signature';
const WHSEC = /^whsec_([A-Za-z0-9+/]+={0,2})$/;

/** Body bytes as sent: a string is UTF-8, a Buffer is taken as is (the receiver verifies raw bytes). */
type Body = string | Buffer;

function hmacHex(key: string | Buffer, t: number, body: Body): string {
  return createHmac('sha256', key).update(`${t}.`).update(body).digest('hex');
}

/**
 * `t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`, one `v1=` per secret (current first). The
 * secret string is the key byte for byte, `whsec_` prefix included: that is what Stripe's verifier does.
 */
export function signCaveHeader(secrets: readonly string[], t: number, body: Body): string {
  if (secrets.length === 0) throw new Error('signCaveHeader needs at least one secret');
  return [`t=${t}`, ...secrets.map((s) => `v1=${hmacHex(s, t, body)}`)].join(',');
}

/** The Standard Webhooks key: the base64-decoded part after `whsec_`; undefined for any other secret. */
export function standardWebhooksKey(secret: string): Buffer | undefined {
  const m = WHSEC.exec(secret);
  if (!m) return undefined;
  const key = Buffer.from(m[1], 'base64');
  return key.length === 0 ? undefined : key;
}

/**
 * Standard Webhooks headers (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64>`),
 * one signature per `whsec_` secret; empty when no secret has that shape.
 */
export function standardWebhooksHeaders(secrets: readonly string[], id: string, t: number, body: Body): Record<string, string> {
  const keys = secrets.map(standardWebhooksKey).filter((k): k is Buffer => k !== undefined);
  if (keys.length === 0) return {};
  const sigs = keys.map((k) => `v1,${createHmac('sha256', k).update(`${id}.${t}.`).update(body).digest('base64')}`);
  return { 'webhook-id': id, 'webhook-timestamp': String(t), 'webhook-signature': sigs.join(' ') };
}

/** Every signature header for one delivery attempt. */
export function signatureHeaders(secrets: readonly string[], id: string, t: number, body: Body): Record<string, string> {
  return { [CAVE_SIGNATURE_HEADER]: signCaveHeader(secrets, t, body), ...standardWebhooksHeaders(secrets, id, t, body) };
}

export interface ParsedSignature {
  t: number;
  v1: string[];
}

const PAIR = /^(t|v1|v0)=([^,=\s]+)$/;

/** Parses the header strictly: one `t`, at least one 64-hex `v1`; other schemes (`v0=`) are ignored. */
export function parseCaveHeader(header: string | string[] | undefined): ParsedSignature {
  if (header === undefined || header === '') throw new SignatureMissingError('missing X-Cave-Webhook-Signature header');
  if (Array.isArray(header) || header.length > 4096) throw new SignatureMalformedError('X-Cave-Webhook-Signature must be one header of t=<unix>,v1=<hex>');
  let t: number | undefined;
  const v1: string[] = [];
  for (const part of header.split(',')) {
    const m = PAIR.exec(part.trim());
    if (!m) throw new SignatureMalformedError('X-Cave-Webhook-Signature must look like t=<unix>,v1=<hex>');
    if (m[1] === 't') {
      if (t !== undefined || !/^\d{1,12}$/.test(m[2])) throw new SignatureMalformedError('t must appear once, as unix seconds');
      t = Number(m[2]);
    } else if (m[1] === 'v1') {
      if (!/^[0-9a-f]{64}$/.test(m[2])) throw new SignatureMalformedError('v1 must be 64 lowercase hex digits');
      v1.push(m[2]);
    }
  }
  if (t === undefined || v1.length === 0) throw new SignatureMalformedError('X-Cave-Webhook-Signature needs t= and at least one v1=');
  return { t, v1 };
}

/**
 * Verifies a received CAVE signature against the raw body bytes: some `v1` must match some secret
 * (constant-time compare), then `t` must lie within `toleranceSeconds` of `nowSeconds` in both directions
 * (a signature from the future is as suspicious as a stale one). Returns the signed timestamp.
 */
export function verifyCaveSignature(
  header: string | string[] | undefined,
  rawBody: Buffer,
  secrets: readonly string[],
  nowSeconds: number,
  toleranceSeconds: number,
): number {
  const parsed = parseCaveHeader(header);
  const matches = secrets.some((s) => {
    const expected = Buffer.from(hmacHex(s, parsed.t, rawBody), 'hex');
    return parsed.v1.some((v) => timingSafeEqual(expected, Buffer.from(v, 'hex')));
  });
  if (!matches) throw new SignatureInvalidError('no v1 signature matches the body for any active secret');
  if (parsed.t < nowSeconds - toleranceSeconds) throw new TimestampStaleError(`the signature timestamp is more than ${toleranceSeconds} s old`);
  if (parsed.t > nowSeconds + toleranceSeconds) throw new TimestampFutureError(`the signature timestamp is more than ${toleranceSeconds} s in the future`);
  return parsed.t;
}
