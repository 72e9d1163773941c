import { createHmac, randomBytes } from 'node:crypto';
import { HmacKeyRing, hmacKeyId } from './hmac-key-ring';

describe('HmacKeyRing', () => {
  it('bulk matching agrees with createHmac for short, 64-byte, long and non-ASCII keys', () => {
    for (const key of ['k'.repeat(16), 'x'.repeat(64), 'long-'.repeat(40), 'schlüssel-ключ-🔑-0123456789']) {
      const ring = new HmacKeyRing(key);
      const id = hmacKeyId(key);
      for (let i = 0; i < 50; i++) {
        const hash = randomBytes(32).toString('hex');
        const want = createHmac('sha256', key).update(hash).digest('base64');
        expect(ring.matches(id, hash, want)).toBe(true);
        expect(ring.verify(id, hash, want)).toBe(true);
        expect(ring.matches(id, hash, createHmac('sha256', key + '!').update(hash).digest('base64'))).toBe(false);
      }
      // Messages that are not 64 ASCII characters take the general path.
      expect(ring.matches(id, 'é'.repeat(64), createHmac('sha256', key).update('é'.repeat(64)).digest('base64'))).toBe(true);
    }
  });

  it('names keys without revealing them and keeps previous keys for verification', () => {
    const ring = new HmacKeyRing('current-key-0123456789', ['old-key-0123456789ab']);
    expect(ring.currentKeyId).toBe(hmacKeyId('current-key-0123456789'));
    expect(ring.knows(hmacKeyId('old-key-0123456789ab'))).toBe(true);
    expect(JSON.stringify(ring)).not.toContain('current-key');
    expect(ring.signer()?.keyId).toBe(ring.currentKeyId);
  });
});
