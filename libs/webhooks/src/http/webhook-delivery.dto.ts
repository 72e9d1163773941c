import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { QueryInt } from '@cave/http';

const STATUSES = ['pending', 'succeeded', 'dead'] as const;

export class ListDeliveriesQueryDto {
  @ApiPropertyOptional({ enum: STATUSES }) @IsOptional() @IsIn(STATUSES) status?: (typeof STATUSES)[number];
  @ApiPropertyOptional({ description: 'Only deliveries of this webhook id' }) @IsOptional() @IsString() @MaxLength(128) webhookId?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID('all') endpointId?: string;
  @ApiPropertyOptional({ description: 'Admins only: one namespace' }) @IsOptional() @IsString() @MaxLength(63) namespace?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 }) @IsOptional() @QueryInt() @IsInt() @Min(1) @Max(500) limit?: number;
}

export class DeliveryAttemptDto {
  @ApiProperty() attempt: number;
  @ApiProperty({ enum: ['succeeded', 'failed'] }) outcome: string;
  @ApiProperty({ type: Number, nullable: true, description: 'HTTP status the receiver answered; null for timeouts and connection errors' })
  statusCode: number | null;
  @ApiProperty({ description: 'Milliseconds until the response (or the failure)' }) latencyMs: number;
  @ApiProperty({ type: String, nullable: true }) error: string | null;
  @ApiProperty({ format: 'date-time' }) attemptedAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) nextAttemptAt: string | null;
}

export class DeliveryDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() namespace: string;
  @ApiProperty({ description: 'Stable across attempts and endpoints (webhook-id header, payload id)' }) webhookId: string;
  @ApiProperty({ format: 'uuid' }) eventId: string;
  @ApiProperty({ example: 'key_rotated' }) eventType: string;
  @ApiProperty({ enum: ['endpoint', 'operator'], description: 'operator = CAVE_ROTATION_WEBHOOK_URL' }) target: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) endpointId: string | null;
  @ApiProperty({ enum: STATUSES }) status: string;
  @ApiProperty() attempts: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) nextAttemptAt: string | null;
  @ApiProperty({ type: Number, nullable: true }) lastStatusCode: number | null;
  @ApiProperty({ type: String, nullable: true }) lastError: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) deliveredAt: string | null;
  @ApiProperty({ type: [DeliveryAttemptDto] }) history: DeliveryAttemptDto[];
}

export class DeliveryListDto {
  @ApiProperty({ type: [DeliveryDto] }) items: DeliveryDto[];
}
