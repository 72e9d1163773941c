import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly, ApiProblems, toRecordedEventDto } from '@cave/http';
import { ListEventsQuery } from '../queries/list-events/list-events.query';
import { EventLogPageDto, ListEventsQueryDto } from './list-events.dto';

@ApiTags('admin')
@ApiBearerAuth('apiKey')
@AdminOnly()
@Controller('api/v1/admin/events')
export class AdminEventsController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ApiOperation({
    summary: 'Global event history (admin keys only)',
    description: 'Every namespace, in commit-safe global order; filter by namespace, stream or type. Members get 403.',
  })
  @ApiOkResponse({ description: 'One page of the global log', type: EventLogPageDto })
  @ApiProblems(400, 401, 403)
  async list(@Query() q: ListEventsQueryDto): Promise<EventLogPageDto> {
    const page = await this.queries.execute(
      new ListEventsQuery({ after: q.after, limit: q.limit ?? 100, namespace: q.namespace, streamId: q.streamId, type: q.type }),
    );
    return { items: page.events.map(toRecordedEventDto), nextCursor: page.cursor };
  }
}
