import { apiKeyPrefix, generateApiKey, hashApiKey, isWellFormedApiKey } from './api-key-secret';

describe('API key material', () => {
  it('generates cave_sk_ keys with 256 random bits in base64url', () => {
    const key = generateApiKey();
    expect(key).toMatch(/^cave_sk_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(key.slice(8), 'base64url')).toHaveLength(32);
    expect(generateApiKey()).not.toBe(key);
    expect(isWellFormedApiKey(key)).toBe(true);
  });

  it('hashes to SHA-256 hex and keeps a 12-character prefix', () => {
    expect(hashApiKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(apiKeyPrefix('cave_sk_abcdefgh')).toBe('cave_sk_abcd');
  });

  it.each(['', 'Bearer', 'cave_sk_short', 'sk_' + 'a'.repeat(40), 'cave_sk_' + 'a'.repeat(30) + '!', 'cave_sk_' + 'a'.repeat(201)])(
    'rejects malformed token %j',
    (token) => expect(isWellFormedApiKey(token)).toBe(false),
  );
});
