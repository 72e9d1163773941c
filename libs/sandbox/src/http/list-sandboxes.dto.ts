import { ApiPropertyOptional } from '@nestjs/swagger';
import { QueryInt } from '@cave/http';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { SandboxStatus } from '../domain/sandbox.lifecycle';
import { STATES } from './sandbox.dto';

export class ListSandboxesQueryDto {
  @ApiPropertyOptional({ enum: STATES, description: 'Only sandboxes in this state; without it, all but deleted ones' })
  @IsOptional()
  @IsIn(STATES)
  state?: SandboxStatus;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @QueryInt()
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({ description: '`nextCursor` of the previous page', example: 'djE6MTA0Mg' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}

export class SandboxEventsQueryDto {
  @ApiPropertyOptional({ minimum: 0, default: 0, description: 'Return events after this stream version (`nextCursor` of the previous page)' })
  @IsOptional()
  @QueryInt()
  @IsInt()
  @Min(0)
  // Stream versions are int4; the page end (after + limit + 1) must stay in range.
  @Max(1_000_000_000)
  after?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @QueryInt()
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}
