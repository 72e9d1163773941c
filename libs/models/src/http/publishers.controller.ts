import { Body, Controller, Delete, Get, Param, Post, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AdminOnly, ApiProblems, CurrentCommandMeta } from '@cave/http';
import type { CommandMeta } from '@cave/kernel';
import { RevokePublisherCommand } from '../commands/revoke-publisher/revoke-publisher.command';
import { TrustPublisherCommand } from '../commands/trust-publisher/trust-publisher.command';
import { assertHexId } from '../domain/names';
import { GetPublisherQuery, ListPublishersQuery } from '../queries/models.queries';
import { PublisherDto, PublisherListDto, TrustPublisherRequestDto } from './models.dto';
import { toPublisherDto } from './models.mapper';

const ID = ApiParam({ name: 'publisherId', description: 'Hex SHA-256 of the raw public key' });

@ApiTags('admin')
@ApiBearerAuth('apiKey')
@AdminOnly()
@ApiProblems(401, 403)
@Controller('api/v1/admin/llm/publishers')
export class PublishersController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Trust a publisher key for model packages',
    description: 'Idempotent: the id is derived from the key, so trusting a trusted key again answers 200 with it (201 when this call trusted it).',
  })
  @ApiCreatedResponse({ type: PublisherDto })
  @ApiOkResponse({ type: PublisherDto, description: 'Already trusted' })
  @ApiProblems(400)
  async trust(@Body() body: TrustPublisherRequestDto, @CurrentCommandMeta() meta: CommandMeta, @Res({ passthrough: true }) reply: FastifyReply): Promise<PublisherDto> {
    const { publisher, created } = await this.commands.execute(new TrustPublisherCommand(body.publicKey, body.label, meta));
    reply.status(created ? 201 : 200);
    return toPublisherDto(publisher);
  }

  @Get()
  @ApiOperation({ summary: 'Publisher keys, trusted and revoked' })
  @ApiOkResponse({ type: PublisherListDto })
  async list(): Promise<PublisherListDto> {
    const items = await this.queries.execute(new ListPublishersQuery());
    return { items: items.map(toPublisherDto) };
  }

  @Get(':publisherId')
  @ID
  @ApiOperation({ summary: 'One publisher key' })
  @ApiOkResponse({ type: PublisherDto })
  @ApiProblems(400, 404)
  async get(@Param('publisherId') id: string): Promise<PublisherDto> {
    assertHexId(id, 'publisherId');
    return toPublisherDto(await this.queries.execute(new GetPublisherQuery(id)));
  }

  @Delete(':publisherId')
  @ID
  @ApiOperation({
    summary: 'Revoke a publisher key',
    description: 'New packages signed by it are refused (422 MODELS.PUBLISHER_UNTRUSTED); its registered models fail their next verification. Revoking twice is a no-op.',
  })
  @ApiOkResponse({ type: PublisherDto })
  @ApiProblems(400, 404)
  async revoke(@Param('publisherId') id: string, @CurrentCommandMeta() meta: CommandMeta): Promise<PublisherDto> {
    assertHexId(id, 'publisherId');
    return toPublisherDto(await this.commands.execute(new RevokePublisherCommand(id, meta)));
  }
}
