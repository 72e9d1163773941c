import { Controller, HttpCode, HttpStatus, Inject, Post, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { CAVE_CONFIG, CaveConfig } from '@cave/config';
import { ApiProblems, Public } from '@cave/http';
import { correlationIdFrom } from '@cave/kernel';
import { CAVE_SIGNATURE_HEADER, ReceiverDisabledError, verifyCaveSignature, WebhookPayloadInvalidError } from '@cave/webhooks';
import { ApplyPeerRotationCommand, PeerRotationReceipt } from '../commands/apply-peer-rotation/apply-peer-rotation.command';
import type { ReceivedRotation } from '../contracts/rotation-webhook';
import { PeerRotationReceiptDto } from './rotate-key.dto';

declare module 'fastify' {
  interface FastifyRequest {
    /** The body bytes as received (Nest `rawBody: true`): signatures are verified over these, never a re-serialisation. */
    rawBody?: Buffer;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const WEBHOOK_ID = /^[\w.:-]{1,128}$/;

/** Reads the fields a rotation needs from a verified body; anything else is WEBHOOKS.PAYLOAD_INVALID. */
function parseRotation(body: unknown): ReceivedRotation {
  const b = (typeof body === 'object' && body !== null ? body : {}) as { id?: unknown; type?: unknown; data?: Record<string, unknown> };
  const d = typeof b.data === 'object' && b.data !== null ? b.data : {};
  const revokedAt = typeof d.revokedAt === 'string' ? new Date(d.revokedAt) : undefined;
  if (typeof b.id !== 'string' || !WEBHOOK_ID.test(b.id)) throw new WebhookPayloadInvalidError('id must be a webhook id');
  if (b.type !== 'key_rotated') throw new WebhookPayloadInvalidError('type must be key_rotated');
  if (typeof d.keyId !== 'string' || !UUID.test(d.keyId) || typeof d.newKeyId !== 'string' || !UUID.test(d.newKeyId)) {
    throw new WebhookPayloadInvalidError('data.keyId and data.newKeyId must be UUIDs');
  }
  if (!revokedAt || Number.isNaN(revokedAt.getTime())) throw new WebhookPayloadInvalidError('data.revokedAt must be an ISO 8601 time');
  return { webhookId: b.id, keyId: d.keyId.toLowerCase(), newKeyId: d.newKeyId.toLowerCase(), revokedAt };
}

@ApiTags('auth')
@Controller('api/v1/auth/keys')
export class RotationReceiverController {
  constructor(
    @Inject(CAVE_CONFIG) private readonly config: CaveConfig,
    private readonly commands: CommandBus,
  ) {}

  @Post('rotated')
  @Public()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Receive a key_rotated webhook from a peer daemon (no API key: the signature authenticates)',
    description:
      'Verifies X-Cave-Webhook-Signature over the raw body with CAVE_ROTATION_WEBHOOK_SECRET (or the previous secret), 300 s tolerance both ways, ' +
      'refuses a webhook id it already accepted, then retires the named local key at the given time. Codes: WEBHOOKS.SIGNATURE_MISSING, ' +
      'WEBHOOKS.SIGNATURE_MALFORMED, WEBHOOKS.PAYLOAD_INVALID (400); WEBHOOKS.SIGNATURE_INVALID, WEBHOOKS.TIMESTAMP_STALE, ' +
      'WEBHOOKS.TIMESTAMP_FUTURE, WEBHOOKS.REPLAYED (401); WEBHOOKS.RECEIVER_DISABLED (503).',
  })
  @ApiHeader({ name: 'X-Cave-Webhook-Signature', required: true, description: 't=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>' })
  @ApiOkResponse({ type: PeerRotationReceiptDto })
  @ApiProblems(400, 401, 404)
  async receive(@Req() req: FastifyRequest): Promise<PeerRotationReceipt> {
    const w = this.config.webhooks;
    if (w.rotationSecret === undefined) throw new ReceiverDisabledError('this daemon has no CAVE_ROTATION_WEBHOOK_SECRET; it cannot verify rotation webhooks');
    const secrets = [w.rotationSecret, ...(w.rotationPreviousSecret ? [w.rotationPreviousSecret] : [])];
    const raw = req.rawBody ?? Buffer.alloc(0);
    const t = verifyCaveSignature(req.headers[CAVE_SIGNATURE_HEADER], raw, secrets, Math.floor(Date.now() / 1000), w.toleranceSeconds);
    const rotation = parseRotation(req.body);
    return this.commands.execute(new ApplyPeerRotationCommand(rotation, new Date(t * 1000), correlationIdFrom(req.id)));
  }
}
