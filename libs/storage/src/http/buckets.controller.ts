import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { CommandMeta, Principal } from '@cave/kernel';
import { ApiProblems, CurrentPrincipal, CurrentCommandMeta } from '@cave/http';
import { CreateBucketCommand, CreateBucketResult } from '../commands/create-bucket/create-bucket.command';
import { DeleteBucketCommand } from '../commands/delete-bucket/delete-bucket.command';
import { assertBucketName, assertObjectKey } from '../domain/names';
import { MAX_SIGNED_TTL_SECONDS } from '../domain/signed-url';
import { GetBucketQuery } from '../queries/get-bucket/get-bucket.query';
import { BucketDetails } from '../queries/get-bucket/get-bucket.handler';
import { ListBucketsQuery } from '../queries/list-buckets/list-buckets.query';
import { BucketPage } from '../queries/list-buckets/list-buckets.handler';
import { UrlSigner } from '../signing/url-signer';
import { BucketDetailsDto, BucketDto, BucketPageDto, ListBucketsQueryDto, SignedUrlDto, SignUrlDto } from './storage.dto';
import { toBucketDto } from './storage.mapper';

const BUCKET = ApiParam({ name: 'bucket', example: 'photos' });

/** Buckets of the caller's namespace, and signed URLs for their objects. */
@ApiTags('storage')
@ApiBearerAuth('apiKey')
@ApiProblems(401, 403)
@Controller('api/v1/storage/buckets')
export class BucketsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly signer: UrlSigner,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List buckets of your namespace', description: 'Name order, cursor-paged.' })
  @ApiOkResponse({ type: BucketPageDto })
  @ApiProblems(400)
  async list(@Query() q: ListBucketsQueryDto, @CurrentPrincipal() p: Principal): Promise<BucketPageDto> {
    const page: BucketPage = await this.queries.execute(new ListBucketsQuery(p.namespace, q.limit ?? 100, q.cursor));
    return { items: page.items.map(toBucketDto), nextCursor: page.nextCursor };
  }

  @Put(':bucket')
  @BUCKET
  @ApiOperation({ summary: 'Create a bucket', description: 'Appends `bucket_created`: 201. Idempotent: an existing bucket answers 200 and appends nothing.' })
  @ApiCreatedResponse({ type: BucketDto })
  @ApiOkResponse({ type: BucketDto, description: 'It existed already' })
  @ApiProblems(400)
  async create(@Param('bucket') bucket: string, @CurrentPrincipal() p: Principal, @CurrentCommandMeta() m: CommandMeta, @Res({ passthrough: true }) reply: FastifyReply): Promise<BucketDto> {
    const result: CreateBucketResult = await this.commands.execute(new CreateBucketCommand(bucket, m));
    void reply.status(result.created ? 201 : 200).header('location', `/api/v1/storage/buckets/${bucket}`);
    return toBucketDto(result.bucket);
  }

  @Get(':bucket')
  @BUCKET
  @ApiOperation({ summary: 'Get a bucket with its object count and bytes' })
  @ApiOkResponse({ type: BucketDetailsDto })
  @ApiProblems(400, 404)
  async get(@Param('bucket') bucket: string, @CurrentPrincipal() p: Principal): Promise<BucketDetailsDto> {
    const b: BucketDetails = await this.queries.execute(new GetBucketQuery(p.namespace, bucket));
    return { ...toBucketDto(b), objects: b.objects, bytes: b.bytes };
  }

  @Delete(':bucket')
  @HttpCode(204)
  @BUCKET
  @ApiOperation({ summary: 'Delete an empty bucket', description: 'Appends `bucket_deleted`; 409 while it holds objects or open uploads.' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblems(400, 404, 409)
  async delete(@Param('bucket') bucket: string, @CurrentPrincipal() p: Principal, @CurrentCommandMeta() m: CommandMeta): Promise<void> {
    await this.commands.execute(new DeleteBucketCommand(bucket, m));
  }

  @Post(':bucket/signed-urls')
  @BUCKET
  @ApiOperation({
    summary: 'Sign a URL for one object and one method',
    description: 'The URL works without an API key until it expires, for exactly this key and method (HMAC-SHA256). GET URLs also answer HEAD.',
  })
  @ApiBody({ type: SignUrlDto })
  @ApiCreatedResponse({ type: SignedUrlDto })
  @ApiProblems(400, 404)
  async sign(@Param('bucket') bucket: string, @Body() dto: SignUrlDto, @CurrentPrincipal() p: Principal): Promise<SignedUrlDto> {
    assertBucketName(bucket);
    assertObjectKey(dto.key);
    // The bucket must be the caller's: signing is no way to probe other namespaces, and a typo fails now, not later.
    await this.queries.execute(new GetBucketQuery(p.namespace, bucket));
    const expires = Math.floor(Date.now() / 1000) + Math.min(dto.expiresInSeconds ?? 900, MAX_SIGNED_TTL_SECONDS);
    const url = this.signer.url({ namespace: p.namespace, bucket, key: dto.key, method: dto.method, expires, issuer: p.keyId });
    return { url, method: dto.method, expiresAt: new Date(expires * 1000).toISOString() };
  }
}
