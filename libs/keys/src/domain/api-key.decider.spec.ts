import { ApiKeyEvent, KEY_ISSUED, KEY_REVOKED, KEY_ROTATED } from '../contracts/api-key.events';
import { ApiKeyCommand, IssueKey } from './api-key.commands';
import { apiKeyDecider } from './api-key.decider';
import { ApiKeyAlreadyExistsError, ApiKeyForbiddenError, ApiKeyNotFoundError, ApiKeyNotRotatableError, InvalidApiKeyError, ReservedNamespaceError } from './api-key.errors';

/** Given past events, when a command is decided, then these events (or this error). */
function given(events: ApiKeyEvent[]) {
  const state = events.reduce(apiKeyDecider.evolve, apiKeyDecider.initialState);
  return {
    when: (command: ApiKeyCommand) => ({
      then: (expected: ApiKeyEvent[]) => expect(apiKeyDecider.decide(command, state)).toEqual(expected),
      thenThrows: (error: new (...args: never[]) => Error) => expect(() => apiKeyDecider.decide(command, state)).toThrow(error),
    }),
  };
}

const now = new Date('2026-11-25T12:00:00.000Z');
const keyId = '6f1c1c1e-4c8e-4f4e-9a3e-2f8f3b1f0a11';
const sha = 'a'.repeat(64);
const issue = (over: Partial<IssueKey['data']> = {}): IssueKey => ({
  type: 'issue_key',
  data: { keyId, namespace: 'acme', name: 'ci', role: 'member', prefix: 'cave_sk_abcd', secretSha256: sha, now, ...over },
});
const issued = (role: 'member' | 'admin' = 'member', over: { namespace?: string } = {}): ApiKeyEvent => ({
  type: KEY_ISSUED,
  data: { keyId, namespace: over.namespace ?? 'acme', name: 'ci', role, prefix: 'cave_sk_abcd', secretSha256: sha, issuedAt: now.toISOString() },
});
const revoked: ApiKeyEvent = { type: KEY_REVOKED, data: { keyId, revokedAt: now.toISOString() } };
const revoke = (role: 'member' | 'admin' = 'admin'): ApiKeyCommand => ({
  type: 'revoke_key',
  data: { keyId, requestedBy: { keyId: 'caller', role }, now },
});

describe('api key decider', () => {
  describe('issue_key', () => {
    it('issues a new key with its hash and prefix, never a secret', () => {
      given([]).when(issue()).then([issued()]);
    });
    it('rejects issuing into an existing stream', () => {
      given([issued()]).when(issue()).thenThrows(ApiKeyAlreadyExistsError);
      given([issued(), revoked]).when(issue()).thenThrows(ApiKeyAlreadyExistsError);
    });
    it.each([
      ['namespace', { namespace: 'Acme' }],
      ['empty name', { name: '' }],
      ['blank name', { name: '   ' }],
      ['long name', { name: 'n'.repeat(101) }],
      ['control characters', { name: 'a\nb' }],
      ['hash', { secretSha256: 'not-a-hash' }],
    ])('rejects an invalid %s', (_, over) => {
      given([]).when(issue(over)).thenThrows(InvalidApiKeyError);
    });
    it('issues only admin keys into the system namespace', () => {
      given([]).when(issue({ namespace: 'system', role: 'member' })).thenThrows(ReservedNamespaceError);
      given([]).when(issue({ namespace: 'system', role: 'admin' })).then([issued('admin', { namespace: 'system' })]);
    });
  });

  describe('revoke_key', () => {
    it('revokes an active key', () => {
      given([issued()]).when(revoke()).then([revoked]);
    });
    it('lets a member revoke a member key', () => {
      given([issued('member')]).when(revoke('member')).then([revoked]);
    });
    it('forbids a member to revoke an admin key', () => {
      given([issued('admin')]).when(revoke('member')).thenThrows(ApiKeyForbiddenError);
    });
    it('is a no-op on a revoked key (idempotent DELETE)', () => {
      given([issued(), revoked]).when(revoke()).then([]);
    });
    it('fails for a key that was never issued', () => {
      given([]).when(revoke()).thenThrows(ApiKeyNotFoundError);
    });
  });

  it('folds history into state', () => {
    const state = [issued('admin'), revoked].reduce(apiKeyDecider.evolve, apiKeyDecider.initialState);
    expect(state).toEqual({ status: 'revoked', keyId, namespace: 'acme', role: 'admin', revokedAt: now.toISOString() });
  });

  describe('rotate_key', () => {
    const rotate = (over: Partial<{ graceSeconds: number; requestedBy: { keyId: string; role: 'member' | 'admin' } }> = {}): ApiKeyCommand => ({
      type: 'rotate_key',
      data: { keyId, newKeyId: 'new-id', newKeyPrefix: 'cave_sk_newk', graceSeconds: 0, webhookId: 'wh-1', requestedBy: { keyId, role: 'member' }, now, ...over },
    });
    const rotated = (graceSeconds: number, revokesAt: string) => ({
      type: KEY_ROTATED,
      data: { keyId, newKeyId: 'new-id', newKeyPrefix: 'cave_sk_newk', namespace: 'acme', graceSeconds, rotatedAt: now.toISOString(), revokesAt, webhookId: 'wh-1', origin: 'local' },
    }) as ApiKeyEvent;

    it('without grace rotates and revokes in one decision', () => {
      given([issued()]).when(rotate()).then([rotated(0, now.toISOString()), { type: KEY_REVOKED, data: { keyId, revokedAt: now.toISOString(), reason: 'rotation' } }]);
    });
    it('with grace only schedules the revocation', () => {
      given([issued()]).when(rotate({ graceSeconds: 60 })).then([rotated(60, '2026-11-25T12:01:00.000Z')]);
    });
    it('lets members rotate only their own key; admins any', () => {
      given([issued()]).when(rotate({ requestedBy: { keyId: 'other', role: 'member' } })).thenThrows(ApiKeyForbiddenError);
      given([issued()]).when(rotate({ requestedBy: { keyId: 'other', role: 'admin' } })).then([rotated(0, now.toISOString()), expect.objectContaining({ type: KEY_REVOKED })]);
    });
    it('refuses revoked, already rotated and unknown keys, and grace outside 0..86400', () => {
      given([issued(), revoked]).when(rotate()).thenThrows(ApiKeyNotRotatableError);
      given([issued(), rotated(60, '2026-11-25T12:01:00.000Z')]).when(rotate()).thenThrows(ApiKeyNotRotatableError);
      given([]).when(rotate()).thenThrows(ApiKeyNotFoundError);
      given([issued()]).when(rotate({ graceSeconds: 86_401 })).thenThrows(InvalidApiKeyError);
    });
    it('expires a rotated key only once its window ended, dated at the window end', () => {
      const history = [issued(), rotated(60, '2026-11-25T12:01:00.000Z')];
      given(history).when({ type: 'expire_key', data: { keyId, now } }).then([]);
      given(history)
        .when({ type: 'expire_key', data: { keyId, now: new Date('2026-11-25T12:05:00.000Z') } })
        .then([{ type: KEY_REVOKED, data: { keyId, revokedAt: '2026-11-25T12:01:00.000Z', reason: 'rotation' } }]);
    });
  });
});
