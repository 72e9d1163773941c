import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly, ApiProblems, toRecordedEventDto } from '@cave/http';
import { ListEventsQuery } from '../queries/list-events/list-events.query';
import { toEventLogFilter } from './event-filter';
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
    description:
      'Every namespace, in commit-safe global order; filter by namespace, stream, type, actor, correlation, causation, ' +
      'event id and recorded time range. Members get 403 (they read their own namespace at GET /api/v1/events).',
  })
  @ApiOkResponse({ description: 'One page of the global log', type: EventLogPageDto })
  @ApiProblems(400, 401, 403)
  async list(@Query() q: ListEventsQueryDto): Promise<EventLogPageDto> {
    const page = await this.queries.execute(new ListEventsQuery(toEventLogFilter(q)));
    return { items: page.events.map(toRecordedEventDto), nextCursor: page.cursor };
  }
}
