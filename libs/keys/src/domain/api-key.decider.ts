import type { Decider } from '@cave/kernel';
import { ApiKeyEvent, ApiKeyRole, KEY_ISSUED, KEY_REVOKED, KEY_ROTATED, SYSTEM_NAMESPACE } from '../contracts/api-key.events';
import { ApiKeyCommand, ApplyPeerRotation, ExpireKey, IssueKey, MAX_GRACE_SECONDS, RevokeKey, RotateKey } from './api-key.commands';
import { ApiKeyAlreadyExistsError, ApiKeyForbiddenError, ApiKeyNotFoundError, ApiKeyNotRotatableError, InvalidApiKeyError, ReservedNamespaceError } from './api-key.errors';
import { NAME_MAX_LENGTH, NAME_PATTERN, NAMESPACE_PATTERN, SHA256_HEX_PATTERN } from './api-key.rules';

export type ApiKeyState =
  | { status: 'absent' }
  | {
      status: 'active' | 'revoked';
      keyId: string;
      namespace: string;
      role: ApiKeyRole;
      revokedAt?: string;
      /** Set once rotated: the key stays active until `revokesAt`. */
      rotation?: { newKeyId: string; revokesAt: string };
    };

export const initialApiKeyState: ApiKeyState = { status: 'absent' };

function issue(command: IssueKey, state: ApiKeyState): ApiKeyEvent[] {
  const d = command.data;
  if (state.status !== 'absent') throw new ApiKeyAlreadyExistsError(d.keyId);
  if (!NAMESPACE_PATTERN.test(d.namespace)) throw new InvalidApiKeyError('namespace must match ^[a-z0-9][a-z0-9_-]{0,62}$');
  if (d.namespace === SYSTEM_NAMESPACE && d.role !== 'admin') throw new ReservedNamespaceError(`the ${SYSTEM_NAMESPACE} namespace holds only admin keys`);
  if (d.name.length === 0 || d.name.length > NAME_MAX_LENGTH || !NAME_PATTERN.test(d.name)) {
    throw new InvalidApiKeyError(`name must be 1..${NAME_MAX_LENGTH} printable characters`);
  }
  if (!SHA256_HEX_PATTERN.test(d.secretSha256)) throw new InvalidApiKeyError('secretSha256 must be a SHA-256 hex digest');
  return [
    {
      type: KEY_ISSUED,
      data: {
        keyId: d.keyId,
        namespace: d.namespace,
        name: d.name,
        role: d.role,
        prefix: d.prefix,
        secretSha256: d.secretSha256,
        issuedAt: d.now.toISOString(),
        ...(d.rotatedFrom !== undefined && { rotatedFrom: d.rotatedFrom }),
      },
    },
  ];
}

function revoke(command: RevokeKey, state: ApiKeyState): ApiKeyEvent[] {
  const { keyId, requestedBy, now } = command.data;
  if (state.status === 'absent') throw new ApiKeyNotFoundError(keyId);
  // A member must not be able to lock admins out, even of its own namespace.
  if (state.role === 'admin' && requestedBy.role !== 'admin') throw new ApiKeyForbiddenError('only admin keys may revoke admin keys');
  // Revoking twice is a no-op, so a retried DELETE is safe and appends nothing.
  if (state.status === 'revoked') return [];
  return [{ type: KEY_REVOKED, data: { keyId, revokedAt: now.toISOString() } }];
}

/** Members rotate only the key they call with; admins any key. Grace 0 revokes in the same append. */
function rotate(command: RotateKey, state: ApiKeyState): ApiKeyEvent[] {
  const d = command.data;
  if (state.status === 'absent') throw new ApiKeyNotFoundError(d.keyId);
  if (d.requestedBy.role !== 'admin' && d.requestedBy.keyId !== d.keyId) throw new ApiKeyForbiddenError('members may rotate only their own key');
  if (!Number.isInteger(d.graceSeconds) || d.graceSeconds < 0 || d.graceSeconds > MAX_GRACE_SECONDS) {
    throw new InvalidApiKeyError(`graceSeconds must be an integer between 0 and ${MAX_GRACE_SECONDS}`);
  }
  if (state.status === 'revoked') throw new ApiKeyNotRotatableError(`API key ${d.keyId} is revoked`, { keyId: d.keyId });
  if (state.rotation) throw new ApiKeyNotRotatableError(`API key ${d.keyId} was already rotated; it is revoked at ${state.rotation.revokesAt}`, { keyId: d.keyId });
  const revokesAt = new Date(d.now.getTime() + d.graceSeconds * 1000).toISOString();
  return rotated(state.namespace, { ...d, revokesAt, origin: 'local' }, d.graceSeconds === 0);
}

/** Unknown, revoked or already rotated keys are left alone: the webhook is still accepted (and remembered). */
function applyPeerRotation(command: ApplyPeerRotation, state: ApiKeyState): ApiKeyEvent[] {
  const d = command.data;
  if (state.status !== 'active' || state.rotation) return [];
  const revokesAt = d.revokesAt.getTime() < d.now.getTime() ? d.now : d.revokesAt;
  const graceSeconds = Math.round((revokesAt.getTime() - d.now.getTime()) / 1000);
  return rotated(
    state.namespace,
    { keyId: d.keyId, newKeyId: d.newKeyId, newKeyPrefix: '', graceSeconds, webhookId: d.webhookId, now: d.now, revokesAt: revokesAt.toISOString(), origin: 'peer' },
    revokesAt.getTime() <= d.now.getTime(),
  );
}

function rotated(
  namespace: string,
  d: { keyId: string; newKeyId: string; newKeyPrefix: string; graceSeconds: number; webhookId: string; now: Date; revokesAt: string; origin: 'local' | 'peer' },
  revokeNow: boolean,
): ApiKeyEvent[] {
  const events: ApiKeyEvent[] = [
    {
      type: KEY_ROTATED,
      data: {
        keyId: d.keyId,
        newKeyId: d.newKeyId,
        newKeyPrefix: d.newKeyPrefix,
        namespace,
        graceSeconds: d.graceSeconds,
        rotatedAt: d.now.toISOString(),
        revokesAt: d.revokesAt,
        webhookId: d.webhookId,
        origin: d.origin,
      },
    },
  ];
  if (revokeNow) events.push({ type: KEY_REVOKED, data: { keyId: d.keyId, revokedAt: d.revokesAt, reason: 'rotation' } });
  return events;
}

/** Revocation is dated at the end of the window, whichever instance records it and however late. */
function expire(command: ExpireKey, state: ApiKeyState): ApiKeyEvent[] {
  if (state.status !== 'active' || !state.rotation) return [];
  if (new Date(state.rotation.revokesAt).getTime() > command.data.now.getTime()) return [];
  return [{ type: KEY_REVOKED, data: { keyId: command.data.keyId, revokedAt: state.rotation.revokesAt, reason: 'rotation' } }];
}

export function decideApiKey(command: ApiKeyCommand, state: ApiKeyState): ApiKeyEvent[] {
  switch (command.type) {
    case 'issue_key':
      return issue(command, state);
    case 'revoke_key':
      return revoke(command, state);
    case 'rotate_key':
      return rotate(command, state);
    case 'apply_peer_rotation':
      return applyPeerRotation(command, state);
    case 'expire_key':
      return expire(command, state);
    default: {
      const unknown: never = command;
      throw new Error(`unknown command ${JSON.stringify(unknown)}`);
    }
  }
}

export function evolveApiKey(state: ApiKeyState, event: ApiKeyEvent): ApiKeyState {
  switch (event.type) {
    case KEY_ISSUED:
      return { status: 'active', keyId: event.data.keyId, namespace: event.data.namespace, role: event.data.role };
    case KEY_REVOKED:
      return state.status === 'absent' ? state : { ...state, status: 'revoked', revokedAt: event.data.revokedAt };
    case KEY_ROTATED:
      return state.status === 'absent' ? state : { ...state, rotation: { newKeyId: event.data.newKeyId, revokesAt: event.data.revokesAt } };
    default: {
      const unknown: never = event;
      throw new Error(`unknown event ${JSON.stringify(unknown)}`);
    }
  }
}

/** The api_key aggregate as a pure decider. */
export const apiKeyDecider: Decider<ApiKeyCommand, ApiKeyState, ApiKeyEvent> = {
  initialState: initialApiKeyState,
  decide: decideApiKey,
  evolve: evolveApiKey,
};
