import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Min } from 'class-validator';

export class ProjectionFailureDto {
  @ApiProperty({ example: 'TypeError: cannot read properties of undefined' }) message: string;
  @ApiProperty({ type: Number, nullable: true, example: 4711, description: 'Global position of the event the projector stopped at' }) globalPosition: number | null;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) eventId: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'sandbox_started' }) eventType: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) at: string | null;
}

export class RebuildProgressDto {
  @ApiProperty({ enum: ['requested', 'running', 'done', 'failed'] }) status: string;
  @ApiProperty({ type: Number, nullable: true, description: 'Global position the shadow tables reached' }) position: number | null;
  @ApiProperty({ example: 120000 }) eventsProcessed: number;
  @ApiProperty({ type: Number, nullable: true, example: 85000 }) eventsPerSecond: number | null;
  @ApiProperty({ type: Number, nullable: true, example: 12, description: 'Seconds until the shadow reaches the current head at the current rate' }) etaSeconds: number | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) requestedAt: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) startedAt: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) finishedAt: string | null;
  @ApiProperty({ type: String, nullable: true }) error: string | null;
}

export class ProjectionDto {
  @ApiProperty({ example: 'sandboxes' }) name: string;
  @ApiProperty({ description: 'Whether the answering instance runs code for this projection' }) registered: boolean;
  @ApiProperty({ example: 1 }) version: number;
  @ApiProperty({ enum: ['running', 'failed', 'pending'], description: '`pending`: registered but no instance has led it yet' }) status: string;
  @ApiProperty({ example: 4711, description: 'Global position of the last committed event' }) position: number;
  @ApiProperty({ example: '1234:4711', description: 'Opaque commit-safe cursor of the checkpoint' }) cursor: string;
  @ApiProperty({ example: 4800 }) headPosition: number;
  @ApiProperty({ example: 89, description: 'headPosition - position' }) lagEvents: number;
  @ApiProperty({ type: String, nullable: true, example: 'host-a:4242:9f2c1e' }) leader: string | null;
  @ApiProperty({ description: 'Some instance holds the leadership lock right now' }) leaderAlive: boolean;
  @ApiProperty({ type: ProjectionFailureDto, nullable: true }) failure: ProjectionFailureDto | null;
  @ApiProperty({ type: RebuildProgressDto, nullable: true }) rebuild: RebuildProgressDto | null;
  @ApiProperty({ type: [String], example: ['sandboxes'] }) tables: string[];
  @ApiProperty({
    type: Boolean,
    nullable: true,
    description: 'Whether POST .../rebuild is allowed (false for append-only projections such as `audit`); null when the answering instance does not run this projection',
  })
  rebuildable: boolean | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) updatedAt: string | null;
}

export class ProjectionListDto {
  @ApiProperty({ type: [ProjectionDto] }) items: ProjectionDto[];
}

export class SkipEventDto {
  @ApiPropertyOptional({ example: 4711, description: 'Skip only if the projector is stopped at this global position (guards against skipping an event you did not inspect)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  globalPosition?: number;
}
