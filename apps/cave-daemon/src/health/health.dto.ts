import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class CheckDto {
  @ApiProperty({ enum: ['up', 'down'] }) status: 'up' | 'down';
  @ApiPropertyOptional() error?: string;
}

export class MigrationsCheckDto extends CheckDto {
  @ApiProperty({ type: [String], description: 'Migrations this build knows that the database lacks' }) pending: string[];
}

export class HealthChecksDto {
  @ApiProperty({ type: CheckDto }) database: CheckDto;
  @ApiProperty({ type: MigrationsCheckDto }) migrations: MigrationsCheckDto;
}

export class HealthDto {
  @ApiProperty({ enum: ['ok', 'error'], example: 'ok' }) status: 'ok' | 'error';
  @ApiProperty({ type: HealthChecksDto }) checks: HealthChecksDto;
}
