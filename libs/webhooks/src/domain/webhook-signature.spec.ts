import Stripe from 'stripe';
import { Webhook } from 'standardwebhooks';
import { isPrivateAddress } from './address-policy';
import { judgeAttempt, retryDelayMs } from './retry-policy';
import { signatureHeaders, signCaveHeader, verifyCaveSignature } from './webhook-signature';
import { SignatureInvalidError, SignatureMalformedError, TimestampFutureError, TimestampStaleError } from './webhook.errors';

const SECRET = 'whsec_' + Buffer.from('unit-test-secret-bytes').toString('base64');
const body = '{"id":"wh_1","type":"key_rotated"}';
const now = Math.floor(Date.now() / 1000);

describe('webhook signatures', () => {
  it('produce the header the official stripe package verifies, byte for byte like its test helper', () => {
    const header = signCaveHeader([SECRET], now, body);
    expect(Stripe.webhooks.constructEvent(body, header, SECRET).id).toBe('wh_1');
    expect(header).toBe(Stripe.webhooks.generateTestHeaderString({ payload: body, secret: SECRET, timestamp: now }));
  });

  it('produce Standard Webhooks headers keyed with the decoded whsec_ part, and none for other secrets', () => {
    const h = signatureHeaders([SECRET], 'wh_1', now, body);
    expect(() => new Webhook(SECRET).verify(body, h)).not.toThrow();
    expect(signatureHeaders(['plain-secret-0123456789'], 'wh_1', now, body)['webhook-signature']).toBeUndefined();
  });

  it('verify in both directions of the tolerance, over the exact bytes, with any active secret', () => {
    const raw = Buffer.from(body);
    expect(verifyCaveSignature(signCaveHeader(['old-secret-0123456789', SECRET], now, body), raw, [SECRET], now, 300)).toBe(now);
    expect(() => verifyCaveSignature(signCaveHeader([SECRET], now, body), Buffer.from(body + ' '), [SECRET], now, 300)).toThrow(SignatureInvalidError);
    expect(() => verifyCaveSignature(signCaveHeader([SECRET], now - 301, body), raw, [SECRET], now, 300)).toThrow(TimestampStaleError);
    expect(() => verifyCaveSignature(signCaveHeader([SECRET], now + 301, body), raw, [SECRET], now, 300)).toThrow(TimestampFutureError);
    expect(() => verifyCaveSignature('t=1,t=2,v1=' + 'a'.repeat(64), raw, [SECRET], now, 300)).toThrow(SignatureMalformedError);
  });
});

describe('address policy and retry policy', () => {
  it.each(['127.0.0.1', '10.0.0.1', '172.16.3.4', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', 'not-an-ip'])(
    '%s is private',
    (a) => expect(isPrivateAddress(a)).toBe(true),
  );
  it.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111'])('%s is public', (a) => expect(isPrivateAddress(a)).toBe(false));

  it('retries 5xx, timeouts, connection errors, 408 and 429, never other 4xx or 3xx', () => {
    for (const s of [500, 503, 408, 429]) expect(judgeAttempt({ kind: 'response', statusCode: s })).toEqual({ outcome: 'failed', retryable: true });
    for (const s of [301, 400, 401, 404, 410]) expect(judgeAttempt({ kind: 'response', statusCode: s })).toEqual({ outcome: 'failed', retryable: false });
    expect(judgeAttempt({ kind: 'timeout' })).toEqual({ outcome: 'failed', retryable: true });
    expect(judgeAttempt({ kind: 'response', statusCode: 204 })).toEqual({ outcome: 'succeeded' });
  });

  it('backs off exponentially with jitter, capped, and lets a longer Retry-After win', () => {
    const s = { maxAttempts: 8, baseMs: 1000, maxMs: 10_000 };
    expect(retryDelayMs(1, s, () => 0)).toBe(500);
    expect(retryDelayMs(3, s, () => 1)).toBe(4000);
    expect(retryDelayMs(10, s, () => 1)).toBe(10_000);
    expect(retryDelayMs(1, s, () => 0, 30)).toBe(30_000);
  });
});
