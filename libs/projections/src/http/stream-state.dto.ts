import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

export class PointInTimeQueryDto {
  @ApiPropertyOptional({
    description: 'A global position (state after that event) or an ISO 8601 timestamp (state at that instant). Default: now.',
    examples: { position: { value: '4711' }, time: { value: '2026-11-25T12:00:00Z' } },
  })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  at?: string;
}

export class StreamStateDto {
  @ApiProperty({ example: 'sandbox-6f1c...' }) streamId: string;
  @ApiProperty({ example: 'sandbox' }) streamType: string;
  @ApiProperty({ example: 'team-a' }) namespace: string;
  @ApiProperty({ example: 3, description: 'Stream version after the last folded event' }) version: number;
  @ApiProperty({ example: 4711, description: 'Global position of the last folded event' }) globalPosition: number;
  @ApiProperty({ format: 'date-time' }) recordedAt: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The aggregate state folded by the stream type\'s registered fold' }) state: unknown;
}
