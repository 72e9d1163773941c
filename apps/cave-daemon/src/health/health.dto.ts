import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class CheckDto {
  @ApiProperty({ enum: ['up', 'down', 'disabled'] }) status: 'up' | 'down' | 'disabled';
  @ApiPropertyOptional() error?: string;
}

export class MigrationsCheckDto extends CheckDto {
  @ApiProperty({ type: [String], description: 'Migrations this build knows that the database lacks' }) pending: string[];
}

export class HealthChecksDto {
  @ApiProperty({ type: CheckDto }) database: CheckDto;
  @ApiProperty({ type: MigrationsCheckDto }) migrations: MigrationsCheckDto;
  @ApiPropertyOptional({
    type: CheckDto,
    description: 'Realtime delivery: role of this instance (leader/follower), replication slot, lag in bytes, sockets',
  })
  realtime?: CheckDto & Record<string, unknown>;
}

export class HealthDto {
  @ApiProperty({
    enum: ['ok', 'degraded', 'error'],
    example: 'ok',
    description: '`degraded` (HTTP 200): a non-critical component such as realtime is down; `error` (HTTP 503): not ready',
  })
  status: 'ok' | 'degraded' | 'error';
  @ApiProperty({ type: HealthChecksDto }) checks: HealthChecksDto;
}
