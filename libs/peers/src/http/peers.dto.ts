import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Length, Matches, MaxLength, Min } from 'class-validator';

export class RegisterPeerRequestDto {
  @ApiProperty({ description: 'https URL of the peer listener (its CAVE_PEER_PORT)', maxLength: 2048, example: 'https://10.0.0.7:7443' })
  @IsString()
  @MaxLength(2048)
  url: string;

  @ApiPropertyOptional({ description: 'A label for people', maxLength: 64, example: 'seed-1' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  name?: string;
}

export class PeerHealthDto {
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastSeenAt: string | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Round trip of the last health poll, ms' }) rttMs: number | null;
  @ApiProperty({ type: Number, nullable: true }) freeDiskBytes: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'The ring weight of this peer' }) totalMemoryBytes: number | null;
  @ApiProperty({ type: Number, nullable: true }) freeMemoryBytes: number | null;
  @ApiProperty({ format: 'date-time' }) checkedAt: string;
  @ApiProperty({ type: String, nullable: true, description: 'Why the last poll failed' }) error: string | null;
}

export class PeerDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'https://10.0.0.7:7443' }) url: string;
  @ApiProperty({ type: String, nullable: true }) name: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'uuid', description: 'The urn:cave:node id its certificate names' }) nodeId: string | null;
  @ApiProperty({ enum: ['unknown', 'up', 'down'] }) status: 'unknown' | 'up' | 'down';
  @ApiProperty({ type: String, nullable: true }) statusError: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) statusChangedAt: string | null;
  @ApiProperty({ description: 'Served corrupt chunks repeatedly: replication avoids it' }) unreliable: boolean;
  @ApiProperty({ format: 'date-time' }) registeredAt: string;
  @ApiProperty({ type: PeerHealthDto, nullable: true }) health: PeerHealthDto | null;
}

export class PeerListDto {
  @ApiProperty({ type: [PeerDto] }) items: PeerDto[];
}

export class RequestReplicationDto {
  @ApiProperty({ description: 'The manifest sha256 (whole-artifact hash) of the model to fetch', example: 'a'.repeat(64) })
  @IsString()
  @Matches(/^[0-9a-f]{64}$/, { message: 'artifactSha256 must be 64 lower-case hex digits' })
  artifactSha256: string;

  @ApiPropertyOptional({ description: 'Bandwidth limit of this job in bytes/s (the node limit applies too); 0 = none', minimum: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  maxBytesPerSec?: number;
}

export class ReplicationProgressDto {
  @ApiProperty() doneBytes: number;
  @ApiProperty() doneChunks: number;
  @ApiProperty() totalBytes: number;
  @ApiProperty() totalChunks: number;
  @ApiProperty() failedChunks: number;
  @ApiProperty({ description: 'Current rate of this run, bytes/s' }) bytesPerSec: number;
  @ApiProperty({ type: Number, nullable: true, description: 'Seconds left at the current rate' }) etaSeconds: number | null;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' }, description: 'Bytes per source peer id' }) bySource: Record<string, number>;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' }, description: 'Share of the bytes per source peer id (0..1)' }) shares: Record<string, number>;
}

export class ReplicationDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() artifactSha256: string;
  @ApiProperty({ enum: ['pending', 'running', 'completed', 'failed'] }) status: string;
  @ApiProperty({ type: String, nullable: true }) name: string | null;
  @ApiProperty({ type: String, nullable: true }) version: string | null;
  @ApiProperty({ type: Number, nullable: true }) sizeBytes: number | null;
  @ApiProperty({ type: Number, nullable: true }) chunkCount: number | null;
  @ApiProperty({ type: ReplicationProgressDto }) progress: ReplicationProgressDto;
  @ApiProperty() maxBytesPerSec: number;
  @ApiProperty({ type: String, nullable: true, example: 'MODELS.PUBLISHER_UNTRUSTED' }) errorCode: string | null;
  @ApiProperty({ type: String, nullable: true }) error: string | null;
  @ApiProperty({ format: 'date-time' }) requestedAt: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) startedAt: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) finishedAt: string | null;
}

export class ReplicationListDto {
  @ApiProperty({ type: [ReplicationDto] }) items: ReplicationDto[];
}
