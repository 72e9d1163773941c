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
    rotatedFrom?: string;
  };
}

export interface RevokeKey {
  type: 'revoke_key';
  data: { keyId: string; requestedBy: Requester; now: Date };
}

/** Longest grace window a rotation may leave the old key valid for (one day). */
export const MAX_GRACE_SECONDS = 86_400;

/** Replace a key: the new key's id and prefix were chosen by the handler, the secret never reaches the domain. */
export interface RotateKey {
  type: 'rotate_key';
  data: {
    keyId: string;
    newKeyId: string;
    newKeyPrefix: string;
    graceSeconds: number;
    webhookId: string;
    requestedBy: Requester;
    now: Date;
  };
}

/** A verified webhook from a peer daemon says this key was rotated there: retire it here at the same instant. */
export interface ApplyPeerRotation {
  type: 'apply_peer_rotation';
  data: { keyId: string; newKeyId: string; revokesAt: Date; webhookId: string; now: Date };
}

/** The grace window of a rotation ended: record the revocation (authentication already refuses the key). */
export interface ExpireKey {
  type: 'expire_key';
  data: { keyId: string; now: Date };
}

export type ApiKeyCommand = IssueKey | RevokeKey | RotateKey | ApplyPeerRotation | ExpireKey;
