import { ApiKeyRole } from '../contracts/api-key.events';

/** Who asks: the caller's key id and role (authorisation rules live in the decider). */
export interface Requester {
  keyId: string;
  role: ApiKeyRole;
}

export interface IssueKey {
  type: 'issue_key';
  data: {
    keyId: string;
    namespace: string;
    name: string;
    role: ApiKeyRole;
    prefix: string;
    secretSha256: string;
    /** Time is an input: the decider stays deterministic. */
    now: Date;
  };
}

export interface RevokeKey {
  type: 'revoke_key';
  data: { keyId: string; requestedBy: Requester; now: Date };
}

export type ApiKeyCommand = IssueKey | RevokeKey;
