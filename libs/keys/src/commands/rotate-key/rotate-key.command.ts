import { Command } from '@nestjs/cqrs';
import type { CommandMeta } from '@cave/kernel';

/** The one response that carries the new key in clear, plus the webhook that announces it. */
export interface RotationOutcome {
  newKey: { id: string; key: string; prefix: string };
  revokedKeyId: string;
  /** When the old key stops authenticating: now, or the end of the grace window. */
  revokedAt: string;
  webhook: {
    id: string;
    /** The exact body every delivery sends (and that `signature` signs). */
    payload: string;
    /** `X-Cave-Webhook-Signature` over `payload` at rotation time; null without CAVE_ROTATION_WEBHOOK_SECRET. */
    signature: string | null;
  };
}

export class RotateKeyCommand extends Command<RotationOutcome> {
  constructor(
    /** Default: the calling key. */
    readonly keyId: string | undefined,
    readonly graceSeconds: number,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}
