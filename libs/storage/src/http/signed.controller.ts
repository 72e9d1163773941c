import { Controller, Get, Param, Put, Query, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiConsumes, ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { correlationIdFrom } from '@cave/kernel';
import { ApiProblems, Public, requestBodyStream, requestContentType, StreamBody } from '@cave/http';
import { PutObjectCommand } from '../commands/put-object/put-object.command';
import { SignedMethod } from '../domain/signed-url';
import { SignedUrlInvalidError } from '../domain/storage.errors';
import { ObjectView } from '../projections/storage.read-model';
import { UrlSigner } from '../signing/url-signer';
import { contentTypeOf } from './content-type';
import { ObjectResponder } from './object-responder';
import { ObjectDto } from './storage.dto';
import { contentLengthOf, keyOf, preconditionsOf, setObjectHeaders, toObjectDto } from './storage.mapper';

const NAMESPACE = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const SIGNED_QUERY = [
  ApiQuery({ name: 'method', enum: ['GET', 'PUT'] }),
  ApiQuery({ name: 'expires', description: 'Unix seconds' }),
  ApiQuery({ name: 'issuer', description: 'Id of the API key that signed it' }),
  ApiQuery({ name: 'signature' }),
];

interface SignedQuery {
  method?: string;
  expires?: string;
  issuer?: string;
  signature?: string;
}

/** Signed URLs: no API key; the signature grants one method on one object until it expires. */
@ApiTags('storage')
@Public()
@ApiProblems(403, 404)
@Controller('api/v1/storage/signed/:namespace/:bucket')
export class SignedController {
  constructor(
    private readonly commands: CommandBus,
    private readonly responder: ObjectResponder,
    private readonly signer: UrlSigner,
  ) {}

  @Get('*')
  @ApiParam({ name: 'namespace' })
  @ApiParam({ name: 'bucket' })
  @ApiParam({ name: '*', description: 'Object key' })
  @(applyAll(SIGNED_QUERY))
  @ApiProduces('*/*')
  @ApiOperation({ summary: 'Download through a signed GET URL (HEAD too)' })
  @ApiOkResponse({ description: 'The bytes' })
  @ApiProblems(400, 412, 416)
  get(@Param() params: Record<string, string>, @Query() q: SignedQuery, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const key = this.verify(params, q, 'GET');
    return this.responder.respond(req, reply, params.namespace, params.bucket, key);
  }

  @Put('*')
  @StreamBody()
  @ApiParam({ name: 'namespace' })
  @ApiParam({ name: 'bucket' })
  @ApiParam({ name: '*', description: 'Object key' })
  @(applyAll(SIGNED_QUERY))
  @ApiConsumes('application/octet-stream', '*/*')
  @ApiOperation({ summary: 'Upload through a signed PUT URL', description: 'Same rules as the API-key PUT (Content-Length, quotas, preconditions); the actor is the signing key.' })
  @ApiOkResponse({ type: ObjectDto })
  @ApiProblems(400, 409, 411, 412, 413)
  async put(@Param() params: Record<string, string>, @Query() q: SignedQuery, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<ObjectDto> {
    const key = this.verify(params, q, 'PUT');
    const size = contentLengthOf(req);
    const view: ObjectView = await this.commands.execute(
      new PutObjectCommand(
        { bucket: params.bucket, key, contentType: contentTypeOf(requestContentType(req)), preconditions: preconditionsOf(req) },
        requestBodyStream(req),
        size,
        { namespace: params.namespace, actor: `signed-url:${q.issuer}`, role: 'member', correlationId: correlationIdFrom(req.id), channel: 'http' },
      ),
    );
    setObjectHeaders(reply, view);
    return toObjectDto(view);
  }

  /** Every part of the grant is in the signature: another key, bucket, namespace, method or expiry fails it. */
  private verify(params: Record<string, string>, q: SignedQuery, method: SignedMethod): string {
    const key = keyOf(params);
    const expires = /^\d{1,12}$/.test(q.expires ?? '') ? Number(q.expires) : NaN;
    if (!NAMESPACE.test(params.namespace ?? '') || q.method !== method || !Number.isFinite(expires) || typeof q.issuer !== 'string' || typeof q.signature !== 'string') {
      throw new SignedUrlInvalidError();
    }
    this.signer.verify({ namespace: params.namespace, bucket: params.bucket, key, method, expires, issuer: q.issuer }, q.signature);
    return key;
  }
}

function applyAll(decorators: MethodDecorator[]): MethodDecorator {
  return (target, key, descriptor) => {
    for (const d of decorators) d(target, key, descriptor);
  };
}
