import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiOkResponse, ApiCreatedResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { CommandMeta, Principal } from '@cave/kernel';
import { ApiProblems, CurrentCommandMeta, CurrentPrincipal, IfMatchVersion, toRecordedEventDto, UuidParamPipe, versionETag } from '@cave/http';
import { Idempotent } from '@cave/idempotency';
import { parsePointInTime, PointInTimeQueryDto } from '@cave/projections';
import { CreateSandboxCommand } from '../commands/create-sandbox/create-sandbox.command';
import { SandboxCommandResult } from '../commands/sandbox.stream';
import { TransitionSandboxCommand } from '../commands/transition-sandbox/transition-sandbox.command';
import type { SandboxTransition } from '../domain/sandbox.lifecycle';
import { GetSandboxQuery } from '../queries/get-sandbox/get-sandbox.query';
import { GetSandboxAtQuery } from '../queries/get-sandbox-at/get-sandbox-at.query';
import { EVENT_PAGE, GetSandboxEventsQuery } from '../queries/get-sandbox-events/get-sandbox-events.query';
import { ListSandboxesQuery, SANDBOX_PAGE } from '../queries/list-sandboxes/list-sandboxes.query';
import { CreateSandboxDto } from './create-sandbox.dto';
import { ListSandboxesQueryDto, SandboxEventsQueryDto } from './list-sandboxes.dto';
import { SandboxEventPageDto } from './sandbox-events.dto';
import { SandboxDto, SandboxPageDto } from './sandbox.dto';
import { toSandboxDto } from './sandbox.mapper';

const ETAG_HEADER = { ETag: { description: 'Stream version of the sandbox, e.g. "3"; send it back as If-Match', schema: { type: 'string', example: '"3"' } } };
const IF_MATCH = ApiHeader({ name: 'If-Match', required: false, description: 'ETag from an earlier response; 412 when the sandbox changed since', schema: { type: 'string', example: '"2"' } });
const ID = ApiParam({ name: 'id', format: 'uuid', description: 'Sandbox id' });

/** REST edge of the sandbox context: DTO -> command/query, result -> DTO + ETag. Nothing else. */
@ApiTags('sandboxes')
@ApiBearerAuth('apiKey')
@ApiProblems(401, 403)
@Controller('api/v1/sandboxes')
export class SandboxesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @Idempotent()
  @ApiOperation({ summary: 'Create a sandbox', description: 'Appends `sandbox_created`. The sandbox starts in state `created`.' })
  @ApiBody({ type: CreateSandboxDto })
  @ApiCreatedResponse({ description: 'The new sandbox (state `created`, version 1)', type: SandboxDto, headers: { ...ETAG_HEADER, Location: { description: 'URL of the new sandbox', schema: { type: 'string' } } } })
  @ApiProblems(400, 409, 413, 415, 422)
  async create(
    @Body() dto: CreateSandboxDto,
    @CurrentCommandMeta() meta: CommandMeta,
    // Not used by a creation, but a malformed If-Match is refused here as on every other write.
    @IfMatchVersion() _ifMatch: number | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SandboxDto> {
    const result = await this.commands.execute(
      new CreateSandboxCommand({ name: dto.name, runtime: dto.runtime, mode: dto.mode, limits: dto.limits, labels: dto.labels }, meta),
    );
    void reply.header('location', `/api/v1/sandboxes/${result.sandbox.id}`);
    return this.respond(result, reply);
  }

  @Get()
  @ApiOperation({ summary: 'List sandboxes of your namespace', description: 'Newest first, keyset-paged with `cursor`.' })
  @ApiOkResponse({ description: 'One page of sandboxes', type: SandboxPageDto })
  @ApiProblems(400)
  async list(@Query() q: ListSandboxesQueryDto, @CurrentPrincipal() principal: Principal): Promise<SandboxPageDto> {
    const page = await this.queries.execute(new ListSandboxesQuery(principal.namespace, { state: q.state, limit: q.limit ?? SANDBOX_PAGE.defaultLimit, cursor: q.cursor }));
    return { items: page.items.map(toSandboxDto), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ID
  @ApiOperation({
    summary: 'Get one sandbox, now or as it was at a point in its history',
    description: 'With `at` (a global position or an ISO 8601 time) the sandbox is folded from its events up to that point (time travel); 404 if it did not exist yet.',
  })
  @ApiOkResponse({ description: 'The sandbox as of its latest event (or as of `at`)', type: SandboxDto, headers: ETAG_HEADER })
  @ApiProblems(400, 404)
  async get(
    @Param('id', UuidParamPipe) id: string,
    @Query() q: PointInTimeQueryDto,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SandboxDto> {
    const at = parsePointInTime(q.at);
    const view = await this.queries.execute(
      at ? new GetSandboxAtQuery(principal.namespace, id, at) : new GetSandboxQuery(principal.namespace, id),
    );
    void reply.header('etag', versionETag(view.version));
    return toSandboxDto(view);
  }

  @Post(':id/start')
  @HttpCode(200)
  @Idempotent()
  @ID
  @IF_MATCH
  @ApiOperation({ summary: 'Start a created or stopped sandbox', description: 'Appends `sandbox_started`.' })
  @ApiOkResponse({ description: 'The sandbox after the transition', type: SandboxDto, headers: ETAG_HEADER })
  @ApiProblems(400, 404, 409, 412)
  start(
    @Param('id', UuidParamPipe) id: string,
    @CurrentCommandMeta() meta: CommandMeta,
    @IfMatchVersion() expectedVersion: number | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SandboxDto> {
    return this.transition(id, 'start', meta, expectedVersion, reply);
  }

  @Post(':id/stop')
  @HttpCode(200)
  @Idempotent()
  @ID
  @IF_MATCH
  @ApiOperation({ summary: 'Stop a running sandbox', description: 'Appends `sandbox_stopped`.' })
  @ApiOkResponse({ description: 'The sandbox after the transition', type: SandboxDto, headers: ETAG_HEADER })
  @ApiProblems(400, 404, 409, 412)
  stop(
    @Param('id', UuidParamPipe) id: string,
    @CurrentCommandMeta() meta: CommandMeta,
    @IfMatchVersion() expectedVersion: number | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SandboxDto> {
    return this.transition(id, 'stop', meta, expectedVersion, reply);
  }

  @Delete(':id')
  @Idempotent()
  @ID
  @IF_MATCH
  @ApiOperation({
    summary: 'Delete a created or stopped sandbox',
    description: 'Appends `sandbox_deleted` and returns the sandbox in state `deleted`; its history stays readable.',
  })
  @ApiOkResponse({ description: 'The sandbox after the transition', type: SandboxDto, headers: ETAG_HEADER })
  @ApiProblems(400, 404, 409, 412)
  delete(
    @Param('id', UuidParamPipe) id: string,
    @CurrentCommandMeta() meta: CommandMeta,
    @IfMatchVersion() expectedVersion: number | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SandboxDto> {
    return this.transition(id, 'delete', meta, expectedVersion, reply);
  }

  @Get(':id/events')
  @ID
  @ApiOperation({ summary: "The sandbox's own event history", description: 'In stream-version order, paged with `after`.' })
  @ApiOkResponse({ description: 'Events of this sandbox in version order', type: SandboxEventPageDto })
  @ApiProblems(400, 404)
  async events(
    @Param('id', UuidParamPipe) id: string,
    @Query() q: SandboxEventsQueryDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<SandboxEventPageDto> {
    const page = await this.queries.execute(new GetSandboxEventsQuery(principal.namespace, id, { after: q.after ?? 0, limit: q.limit ?? EVENT_PAGE.defaultLimit }));
    return { items: page.items.map(toRecordedEventDto), nextCursor: page.nextCursor };
  }

  private async transition(id: string, action: SandboxTransition, meta: CommandMeta, expectedVersion: number | undefined, reply: FastifyReply): Promise<SandboxDto> {
    return this.respond(await this.commands.execute(new TransitionSandboxCommand(id, action, meta, expectedVersion)), reply);
  }

  private respond(result: SandboxCommandResult, reply: FastifyReply): SandboxDto {
    void reply.header('etag', versionETag(result.sandbox.version));
    return toSandboxDto(result.sandbox);
  }
}
