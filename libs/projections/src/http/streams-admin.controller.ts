import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly, ApiProblems } from '@cave/http';
import { parsePointInTime } from '../time-travel/point-in-time';
import { StreamStateService } from '../time-travel/stream-state.service';
import { toStreamStateDto } from './dto.mapper';
import { PointInTimeQueryDto, StreamStateDto } from './stream-state.dto';

@ApiTags('admin: streams')
@ApiBearerAuth('apiKey')
@AdminOnly()
@ApiProblems(401, 403)
@Controller('api/v1/admin/streams')
export class StreamsAdminController {
  constructor(private readonly streams: StreamStateService) {}

  @Get(':streamId')
  @ApiOperation({ summary: 'Time travel: any stream (any namespace) folded up to a global position or an instant' })
  @ApiOkResponse({ type: StreamStateDto })
  @ApiProblems(400, 404, 422)
  async show(@Param('streamId') streamId: string, @Query() q: PointInTimeQueryDto): Promise<StreamStateDto> {
    return toStreamStateDto(await this.streams.stateAt(streamId, parsePointInTime(q.at)));
  }
}
