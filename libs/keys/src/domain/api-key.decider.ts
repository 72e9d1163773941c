import type { Decider } from '@cave/kernel';
import { ApiKeyEvent, ApiKeyRole, KEY_ISSUED, KEY_REVOKED } from '../contracts/api-key.events';
import { ApiKeyCommand, IssueKey, RevokeKey } from './api-key.commands';
import { ApiKeyAlreadyExistsError, ApiKeyForbiddenError, ApiKeyNotFoundError, InvalidApiKeyError } from './api-key.errors';
import { NAME_MAX_LENGTH, NAME_PATTERN, NAMESPACE_PATTERN, SHA256_HEX_PATTERN } from './api-key.rules';

export type ApiKeyState =
  | { status: 'absent' }
  | { status: 'active' | 'revoked'; keyId: string; namespace: string; role: ApiKeyRole; revokedAt?: string };

export const initialApiKeyState: ApiKeyState = { status: 'absent' };

function issue(command: IssueKey, state: ApiKeyState): ApiKeyEvent[] {
  const d = command.data;
  if (state.status !== 'absent') throw new ApiKeyAlreadyExistsError(d.keyId);
  if (!NAMESPACE_PATTERN.test(d.namespace)) throw new InvalidApiKeyError('namespace must match ^[a-z0-9][a-z0-9_-]{0,62}$');
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

export function decideApiKey(command: ApiKeyCommand, state: ApiKeyState): ApiKeyEvent[] {
  switch (command.type) {
    case 'issue_key':
      return issue(command, state);
    case 'revoke_key':
      return revoke(command, state);
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
