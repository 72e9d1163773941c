import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { MAX_GRACE_SECONDS } from '../domain/api-key.commands';

export class RotateKeyRequestDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Key to rotate; default: the calling key. Members may rotate only their own key.' })
  @IsOptional()
  @IsUUID('all', { message: 'keyId must be a UUID' })
  keyId?: string;

  @ApiPropertyOptional({ minimum: 0, maximum: MAX_GRACE_SECONDS, default: 0, description: 'Seconds the old key stays valid (0: revoked at once)' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_GRACE_SECONDS)
  graceSeconds?: number;
}

export class RotatedNewKeyDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ description: 'The new API key. Shown only in this response; store it now.' }) key: string;
  @ApiProperty({ example: 'cave_sk_3q2-' }) prefix: string;
}

export class RotationWebhookDto {
  @ApiProperty({ description: 'Stable webhook id (webhook-id header, `id` of the payload)' }) id: string;
  @ApiProperty({ description: 'The exact JSON body every delivery sends' }) payload: string;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'X-Cave-Webhook-Signature over payload at rotation time (t=<unix>,v1=<hex>); null without CAVE_ROTATION_WEBHOOK_SECRET',
  })
  signature: string | null;
}

export class RotationOutcomeDto {
  @ApiProperty({ type: RotatedNewKeyDto }) newKey: RotatedNewKeyDto;
  @ApiProperty({ format: 'uuid' }) revokedKeyId: string;
  @ApiProperty({ format: 'date-time', description: 'When the old key stops authenticating' }) revokedAt: string;
  @ApiProperty({ type: RotationWebhookDto }) webhook: RotationWebhookDto;
}

export class PeerRotationReceiptDto {
  @ApiProperty() webhookId: string;
  @ApiProperty({ format: 'uuid' }) keyId: string;
  @ApiProperty({ description: 'False when this daemon has no active key with that id' }) applied: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) revokedAt: string | null;
}
