import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { QueryInt, RecordedEventDto } from '@cave/http';

export class ListEventsQueryDto {
  @ApiPropertyOptional({
    description: 'A `cursor`/`nextCursor` from an earlier page, or a plain global position (continue behind that event)',
    example: '1893:1042',
  })
  @IsOptional()
  @IsString()
  // Digit counts keep both parts inside xid8 / bigint, so no value can fail in SQL.
  @Matches(/^(\d{1,19}:\d{1,18}|\d{1,15})$/, { message: 'after must be a cursor ("<xid>:<position>") or a global position' })
  after?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @QueryInt()
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;

  @ApiPropertyOptional({ example: 'team-a' })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9_-]{0,62}$/, { message: 'namespace must be 1-63 characters of [a-z0-9_-]' })
  namespace?: string;

  @ApiPropertyOptional({ example: 'sandbox-0b8f1f4e-8d7e-4d8c-9d1c-2c3f4a5b6c7d' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  streamId?: string;

  @ApiPropertyOptional({ example: 'sandbox_created', description: 'Event type' })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z][a-z0-9_]{0,99}$/, { message: 'type must be an event type such as sandbox_created' })
  type?: string;
}

export class EventLogPageDto {
  @ApiProperty({ type: [RecordedEventDto] }) items: RecordedEventDto[];
  @ApiProperty({
    example: '1901:1050',
    description: 'Pass as `after` to continue. Always present: an empty page means you are caught up; poll again with the same cursor.',
  })
  nextCursor: string;
}
