import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Req } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { CommandMeta, Principal } from '@cave/kernel';
import { ApiProblems, CurrentPrincipal, CurrentCommandMeta, requestBodyStream, StreamBody } from '@cave/http';
import { AbortUploadCommand } from '../commands/abort-upload/abort-upload.command';
import { CompleteUploadCommand } from '../commands/complete-upload/complete-upload.command';
import { CreateUploadCommand, UploadView } from '../commands/create-upload/create-upload.command';
import { PartView, UploadPartCommand } from '../commands/upload-part/upload-part.command';
import { objectETag } from '../domain/etag';
import { ObjectView } from '../projections/storage.read-model';
import { UploadPartsView } from '../queries/list-parts/list-parts.handler';
import { ListPartsQuery } from '../queries/list-parts/list-parts.query';
import { contentTypeOf } from './content-type';
import { CompleteUploadDto, CreateUploadDto, ObjectDto, PartDto, UploadDto, UploadPartsDto } from './storage.dto';
import { contentLengthOf, toObjectDto } from './storage.mapper';

const BUCKET = ApiParam({ name: 'bucket', example: 'videos' });
const UPLOAD = ApiParam({ name: 'uploadId', format: 'uuid' });

/** Multipart uploads: parts arrive as separate streamed requests (retry one without resending the rest). */
@ApiTags('storage')
@ApiBearerAuth('apiKey')
@ApiProblems(401, 403)
@Controller('api/v1/storage/buckets/:bucket/uploads')
export class UploadsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @BUCKET
  @ApiOperation({ summary: 'Start a multipart upload', description: 'Appends `multipart_upload_created`.' })
  @ApiBody({ type: CreateUploadDto })
  @ApiCreatedResponse({ type: UploadDto })
  @ApiProblems(400, 404)
  async create(@Param('bucket') bucket: string, @Body() dto: CreateUploadDto, @CurrentPrincipal() p: Principal, @CurrentCommandMeta() m: CommandMeta): Promise<UploadDto> {
    const view: UploadView = await this.commands.execute(new CreateUploadCommand(bucket, dto.key, contentTypeOf(dto.contentType), m));
    return view;
  }

  @Put(':uploadId/parts/:partNumber')
  @StreamBody()
  @BUCKET
  @UPLOAD
  @ApiParam({ name: 'partNumber', description: '1..10000; uploading a number again replaces that part' })
  @ApiConsumes('application/octet-stream', '*/*')
  @ApiOperation({ summary: 'Upload one part', description: 'Streams the part to the backend; appends `multipart_part_uploaded`. Needs Content-Length.' })
  @ApiOkResponse({ type: PartDto })
  @ApiProblems(400, 404, 409, 411, 413)
  async part(@Param('bucket') bucket: string, @Param('uploadId') uploadId: string, @Param('partNumber') partNumber: string, @Req() req: FastifyRequest, @CurrentPrincipal() p: Principal, @CurrentCommandMeta() m: CommandMeta): Promise<PartDto> {
    const n = /^\d{1,5}$/.test(partNumber) ? Number(partNumber) : NaN;
    const part: PartView = await this.commands.execute(new UploadPartCommand(bucket, uploadId.toLowerCase(), n, requestBodyStream(req), contentLengthOf(req), m));
    return { ...part, etag: objectETag(part.sha256) };
  }

  @Get(':uploadId/parts')
  @BUCKET
  @UPLOAD
  @ApiOperation({ summary: 'List the parts uploaded so far' })
  @ApiOkResponse({ type: UploadPartsDto })
  @ApiProblems(404)
  async parts(@Param('bucket') bucket: string, @Param('uploadId') uploadId: string, @CurrentPrincipal() p: Principal): Promise<UploadPartsDto> {
    const v: UploadPartsView = await this.queries.execute(new ListPartsQuery(p.namespace, bucket, uploadId.toLowerCase()));
    return { ...v, parts: v.parts.map((x) => ({ ...x, etag: objectETag(x.sha256) })) };
  }

  @Post(':uploadId/complete')
  @HttpCode(200)
  @BUCKET
  @UPLOAD
  @ApiOperation({ summary: 'Complete the upload', description: 'Composes the parts into the object: `multipart_upload_completed` and `object_stored` in one transaction.' })
  @ApiBody({ type: CompleteUploadDto, required: false })
  @ApiOkResponse({ type: ObjectDto })
  @ApiProblems(400, 404, 409, 413)
  async complete(@Param('bucket') bucket: string, @Param('uploadId') uploadId: string, @Body() dto: CompleteUploadDto | undefined, @CurrentPrincipal() p: Principal, @CurrentCommandMeta() m: CommandMeta): Promise<ObjectDto> {
    const view: ObjectView = await this.commands.execute(new CompleteUploadCommand(bucket, uploadId.toLowerCase(), dto?.parts, m));
    return toObjectDto(view);
  }

  @Delete(':uploadId')
  @HttpCode(204)
  @BUCKET
  @UPLOAD
  @ApiOperation({ summary: 'Abort the upload', description: 'Appends `multipart_upload_aborted`; its parts are collected by the sweeper.' })
  @ApiNoContentResponse({ description: 'Aborted' })
  @ApiProblems(404, 409)
  async abort(@Param('bucket') bucket: string, @Param('uploadId') uploadId: string, @CurrentPrincipal() p: Principal, @CurrentCommandMeta() m: CommandMeta): Promise<void> {
    await this.commands.execute(new AbortUploadCommand(bucket, uploadId.toLowerCase(), m));
  }
}
