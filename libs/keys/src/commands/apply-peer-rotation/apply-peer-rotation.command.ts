import { Command } from '@nestjs/cqrs';
import type { ReceivedRotation } from '../../contracts/rotation-webhook';

export interface PeerRotationReceipt {
  webhookId: string;
  keyId: string;
  /** False when this daemon has no active, unrotated key with that id (nothing to retire here). */
  applied: boolean;
  revokedAt: string | null;
}

/** A verified `key_rotated` webhook from a peer daemon; replays are refused by webhook id. */
export class ApplyPeerRotationCommand extends Command<PeerRotationReceipt> {
  constructor(
    readonly rotation: ReceivedRotation,
    readonly signedAt: Date,
    readonly correlationId: string,
  ) {
    super();
  }
}
