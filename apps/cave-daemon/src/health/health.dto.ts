import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class CheckDto {
  @ApiProperty({ enum: ['up', 'down', 'disabled'] }) status: 'up' | 'down' | 'disabled';
  @ApiPropertyOptional() error?: string;
}

export class MigrationsCheckDto extends CheckDto {
  @ApiProperty({ type: [String], description: 'Migrations this build knows that the database lacks' }) pending: string[];
}

export class ProjectionFailedAtDto {
  @ApiProperty({ type: Number, nullable: true }) globalPosition: number | null;
  @ApiProperty({ type: String, nullable: true }) eventType: string | null;
}

export class ProjectionHealthDto {
  @ApiProperty({ example: 'audit' }) name: string;
  @ApiProperty({ enum: ['running', 'failed', 'pending'] }) status: string;
  @ApiProperty({ example: 4711 }) position: number;
  @ApiProperty({ example: 0, description: 'Events appended after the checkpoint' }) lagEvents: number;
  @ApiProperty({ description: 'Some instance holds the leadership lock' }) leaderAlive: boolean;
  @ApiPropertyOptional({ type: ProjectionFailedAtDto, description: 'Where a failed projector stopped (details on the admin API)' }) failedAt?: ProjectionFailedAtDto;
  @ApiPropertyOptional({ enum: ['requested', 'running'] }) rebuild?: string;
}

export class ProjectionsCheckDto extends CheckDto {
  @ApiProperty({ type: [ProjectionHealthDto] }) items: ProjectionHealthDto[];
}

export class HealthChecksDto {
  @ApiProperty({ type: CheckDto }) database: CheckDto;
  @ApiProperty({ type: MigrationsCheckDto }) migrations: MigrationsCheckDto;
  @ApiPropertyOptional({
    type: CheckDto,
    description: 'Realtime delivery: role of this instance (leader/follower), replication slot, lag in bytes, sockets',
  })
  realtime?: CheckDto & Record<string, unknown>;
  @ApiPropertyOptional({
    type: ProjectionsCheckDto,
    description: '`down` (health `degraded`, still HTTP 200) when a projector is stopped at a failing event or no instance leads it',
  })
  projections?: ProjectionsCheckDto;
}

export class HealthDto {
  @ApiProperty({
    enum: ['ok', 'degraded', 'error'],
    example: 'ok',
    description: '`degraded` (HTTP 200): a non-critical component is down (realtime, or a projector stopped at a failing event); `error` (HTTP 503): not ready (database down or migrations pending)',
  })
  status: 'ok' | 'degraded' | 'error';
  @ApiPropertyOptional({ type: HealthChecksDto, description: 'Per component; only with an admin key' }) checks?: HealthChecksDto;
}
