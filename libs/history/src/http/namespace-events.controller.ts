import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Principal } from '@cave/kernel';
import { ApiProblems, CurrentPrincipal, toRecordedEventDto } from '@cave/http';
import { ListEventsQuery } from '../queries/list-events/list-events.query';
import { toEventLogFilter } from './event-filter';
import { EventFilterQueryDto, EventLogPageDto } from './list-events.dto';

@ApiTags('events')
@ApiBearerAuth('apiKey')
@Controller('api/v1/events')
export class NamespaceEventsController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ApiOperation({
    summary: "Your namespace's event history",
    description:
      "The key's own namespace only (admin keys included: the global log is GET /api/v1/admin/events), in commit-safe " +
      'order, with the same filters and cursor as the global log.',
  })
  @ApiOkResponse({ description: "One page of the namespace's log", type: EventLogPageDto })
  @ApiProblems(400, 401)
  async list(@CurrentPrincipal() principal: Principal, @Query() q: EventFilterQueryDto): Promise<EventLogPageDto> {
    const page = await this.queries.execute(new ListEventsQuery(toEventLogFilter(q), principal.namespace));
    return { items: page.events.map(toRecordedEventDto), nextCursor: page.cursor };
  }
}
