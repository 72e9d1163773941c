import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { EVENT_TYPES_MAX, SECRET_MAX_LENGTH, SECRET_MIN_LENGTH, URL_MAX_LENGTH } from '../domain/endpoint.rules';

/** Bounds come from `domain/endpoint.rules`, which also enforces them (any edge gets the same 400). */
export class RegisterEndpointRequestDto {
  @ApiProperty({ description: 'http(s) URL without credentials; must resolve to a public address', maxLength: URL_MAX_LENGTH, example: 'https://hooks.example.com/cave' })
  @IsString()
  @MaxLength(URL_MAX_LENGTH)
  url: string;

  @ApiProperty({ type: [String], description: 'Event types to receive', minItems: 1, maxItems: EVENT_TYPES_MAX, example: ['key_rotated'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(EVENT_TYPES_MAX)
  @IsString({ each: true })
  eventTypes: string[];

  @ApiPropertyOptional({
    description: 'Signing secret; generated (`whsec_<base64>`) when absent. A `whsec_` secret also gets Standard Webhooks headers.',
    minLength: SECRET_MIN_LENGTH,
    maxLength: SECRET_MAX_LENGTH,
    writeOnly: true,
  })
  @IsOptional()
  @IsString()
  @Length(SECRET_MIN_LENGTH, SECRET_MAX_LENGTH)
  secret?: string;
}

export class WebhookEndpointDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'acme' }) namespace: string;
  @ApiProperty({ example: 'https://hooks.example.com/cave' }) url: string;
  @ApiProperty({ type: [String], example: ['key_rotated'] }) eventTypes: string[];
  @ApiProperty({ description: 'Whether webhook-id/webhook-timestamp/webhook-signature are sent too' }) standardWebhooks: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

/** Returned once at registration: the only time the secret is readable. */
export class RegisteredEndpointDto extends WebhookEndpointDto {
  @ApiProperty({ description: 'The signing secret. Shown only in this response; store it now.' }) secret: string;
}

export class WebhookEndpointListDto {
  @ApiProperty({ type: [WebhookEndpointDto] }) items: WebhookEndpointDto[];
}
