import { ApiPropertyOptional } from '@nestjs/swagger';
import { QueryInt } from '@cave/http';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { SandboxStatus } from '../domain/sandbox.lifecycle';
import { EVENT_PAGE } from '../queries/get-sandbox-events/get-sandbox-events.query';
import { SANDBOX_PAGE } from '../queries/list-sandboxes/list-sandboxes.query';
import { STATES } from './sandbox.dto';

export class ListSandboxesQueryDto {
  @ApiPropertyOptional({ enum: STATES, description: 'Only sandboxes in this state; without it, all but deleted ones' })
  @IsOptional()
  @IsIn(STATES)
  state?: SandboxStatus;

  @ApiPropertyOptional({ minimum: 1, maximum: SANDBOX_PAGE.maxLimit, default: SANDBOX_PAGE.defaultLimit })
  @IsOptional()
  @QueryInt()
  @IsInt()
  @Min(1)
  @Max(SANDBOX_PAGE.maxLimit)
  limit?: number;

  @ApiPropertyOptional({ description: '`nextCursor` of the previous page', example: 'djE6MTA0Mg' })
  @IsOptional()
  @IsString()
  @MaxLength(SANDBOX_PAGE.maxCursorLength)
  cursor?: string;
}

export class SandboxEventsQueryDto {
  @ApiPropertyOptional({ minimum: 0, default: 0, description: 'Return events after this stream version (`nextCursor` of the previous page)' })
  @IsOptional()
  @QueryInt()
  @IsInt()
  @Min(0)
  @Max(EVENT_PAGE.maxAfter)
  after?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: EVENT_PAGE.maxLimit, default: EVENT_PAGE.defaultLimit })
  @IsOptional()
  @QueryInt()
  @IsInt()
  @Min(1)
  @Max(EVENT_PAGE.maxLimit)
  limit?: number;
}
