import { Controller, Delete, Get, HttpCode, Param, Put, Query, Req, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiConsumes, ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CommandMeta, Principal } from '@cave/kernel';
import { ApiProblems, CurrentPrincipal, CurrentCommandMeta, requestBodyStream, requestContentType, StreamBody } from '@cave/http';
import { DeleteObjectCommand } from '../commands/delete-object/delete-object.command';
import { PutObjectCommand } from '../commands/put-object/put-object.command';
import { ObjectView } from '../projections/storage.read-model';
import { ListObjectsQuery } from '../queries/list-objects/list-objects.query';
import { ObjectPage } from '../queries/list-objects/list-objects.handler';
import { ObjectResponder } from './object-responder';
import { ListObjectsQueryDto, ObjectDto, ObjectPageDto } from './storage.dto';
import { contentLengthOf, keyOf, preconditionsOf, setObjectHeaders, toObjectDto } from './storage.mapper';
import { contentTypeOf } from './content-type';

const BUCKET = ApiParam({ name: 'bucket', example: 'photos' });
const KEY = ApiParam({ name: '*', description: 'Object key (may contain "/"), percent-encoded', example: 'albums/2026/cat.png' });

/** Objects of a bucket: bytes stream both ways, metadata comes from the read model. */
@ApiTags('storage')
@ApiBearerAuth('apiKey')
@ApiProblems(401, 403)
@Controller('api/v1/storage/buckets/:bucket/objects')
export class ObjectsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly responder: ObjectResponder,
  ) {}

  @Get()
  @BUCKET
  @ApiOperation({ summary: 'List objects', description: 'Keys in byte order; `prefix`, `delimiter` (common prefixes) and cursor paging. Reads the read model only.' })
  @ApiOkResponse({ type: ObjectPageDto })
  @ApiProblems(400, 404)
  async list(@Param('bucket') bucket: string, @Query() q: ListObjectsQueryDto, @CurrentPrincipal() p: Principal): Promise<ObjectPageDto> {
    const page: ObjectPage = await this.queries.execute(
      new ListObjectsQuery(p.namespace, bucket, { prefix: q.prefix ?? '', delimiter: q.delimiter, limit: q.limit ?? 1000, cursor: q.cursor }),
    );
    return { items: page.items.map(toObjectDto), prefixes: page.prefixes, nextCursor: page.nextCursor };
  }

  @Put('*')
  @StreamBody()
  @BUCKET
  @KEY
  @ApiConsumes('application/octet-stream', '*/*')
  @ApiHeader({ name: 'Content-Length', required: true, description: 'Exact body size (quotas are checked before any byte is stored)' })
  @ApiHeader({ name: 'If-Match', required: false, description: 'Replace only if the current ETag matches (or `*`: only if it exists)' })
  @ApiHeader({ name: 'If-None-Match', required: false, description: '`*`: create only, never overwrite' })
  @ApiOperation({ summary: 'Upload an object', description: 'Streams the body to the backend, then appends `object_stored`. Visible only once both are durable.' })
  @ApiOkResponse({ type: ObjectDto, headers: { ETag: { description: 'Quoted sha256 of the content', schema: { type: 'string' } } } })
  @ApiProblems(400, 404, 409, 411, 412, 413)
  async put(@Param('bucket') bucket: string, @Param() params: Record<string, string>, @Req() req: FastifyRequest, @CurrentPrincipal() p: Principal, @CurrentCommandMeta() m: CommandMeta, @Res({ passthrough: true }) reply: FastifyReply): Promise<ObjectDto> {
    const size = contentLengthOf(req);
    const view: ObjectView = await this.commands.execute(
      new PutObjectCommand({ bucket, key: keyOf(params), contentType: contentTypeOf(requestContentType(req)), preconditions: preconditionsOf(req) }, requestBodyStream(req), size, m),
    );
    setObjectHeaders(reply, view);
    return toObjectDto(view);
  }

  @Get('*')
  @BUCKET
  @KEY
  @ApiProduces('*/*')
  @ApiHeader({ name: 'Range', required: false, description: 'One `bytes=` range: 206 with Content-Range, 416 when outside the object' })
  @ApiHeader({ name: 'If-None-Match', required: false, description: '304 when the ETag matches' })
  @ApiOperation({ summary: 'Download an object (HEAD: its metadata only)', description: 'Streams the bytes. HEAD answers the same headers from the read model without touching the backend.' })
  @ApiOkResponse({ description: 'The bytes, with ETag, Content-Type, Content-Length, Accept-Ranges' })
  @ApiProblems(400, 404, 412, 416)
  get(@Param('bucket') bucket: string, @Param() params: Record<string, string>, @Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentPrincipal() p: Principal): Promise<FastifyReply> {
    return this.responder.respond(req, reply, p.namespace, bucket, keyOf(params));
  }

  @Delete('*')
  @HttpCode(204)
  @BUCKET
  @KEY
  @ApiHeader({ name: 'If-Match', required: false, description: 'Delete only if the current ETag matches' })
  @ApiOperation({ summary: 'Delete an object', description: 'Appends `object_deleted`; the bytes are collected by the sweeper once unreferenced.' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblems(400, 404, 412)
  async delete(@Param('bucket') bucket: string, @Param() params: Record<string, string>, @Req() req: FastifyRequest, @CurrentPrincipal() p: Principal, @CurrentCommandMeta() m: CommandMeta): Promise<void> {
    await this.commands.execute(new DeleteObjectCommand(bucket, keyOf(params), preconditionsOf(req), m));
  }
}
