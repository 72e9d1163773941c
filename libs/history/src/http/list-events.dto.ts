import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsISO8601, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { QueryInt, RecordedEventDto } from '@cave/http';

const METADATA_ID = /^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,199}$/;

/** Filters shared by the namespace log (members) and the global log (admins). */
export class EventFilterQueryDto {
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

  @ApiPropertyOptional({ example: 'key_2d1c7f0e', description: '`metadata.actor`: the API key id that caused the event' })
  @IsOptional()
  @IsString()
  @Matches(METADATA_ID, { message: 'actor must be 1-200 characters of [A-Za-z0-9_.:@-]' })
  actor?: string;

  @ApiPropertyOptional({ description: '`metadata.correlationId`: every event of one request (its X-Request-Id)' })
  @IsOptional()
  @IsString()
  @Matches(METADATA_ID, { message: 'correlationId must be 1-200 characters of [A-Za-z0-9_.:@-]' })
  correlationId?: string;

  @ApiPropertyOptional({ description: '`metadata.causationId`: the events caused by that event id' })
  @IsOptional()
  @IsString()
  @Matches(METADATA_ID, { message: 'causationId must be 1-200 characters of [A-Za-z0-9_.:@-]' })
  causationId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only the event with this id' })
  @IsOptional()
  @IsUUID('all', { message: 'eventId must be a UUID' })
  eventId?: string;

  @ApiPropertyOptional({ format: 'date-time', example: '2026-11-25T12:00:00Z', description: 'Recorded at or after this instant (ISO 8601)' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be an ISO 8601 date-time' })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', example: '2026-11-25T13:00:00Z', description: 'Recorded at or before this instant (ISO 8601)' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be an ISO 8601 date-time' })
  to?: string;
}

export class ListEventsQueryDto extends EventFilterQueryDto {
  @ApiPropertyOptional({ example: 'team-a' })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9_-]{0,62}$/, { message: 'namespace must be 1-63 characters of [a-z0-9_-]' })
  namespace?: string;
}

export class EventLogPageDto {
  @ApiProperty({ type: [RecordedEventDto] }) items: RecordedEventDto[];
  @ApiProperty({
    example: '1901:1050',
    description: 'Pass as `after` to continue. Always present: an empty page means you are caught up; poll again with the same cursor.',
  })
  nextCursor: string;
}
