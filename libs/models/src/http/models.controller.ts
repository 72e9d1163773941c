import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Put, Query, Req } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { AdminOnly, ApiProblems, CurrentCommandMeta, requestBodyStream, StreamBody } from '@cave/http';
import type { CommandMeta } from '@cave/kernel';
import { DeleteModelCommand } from '../commands/delete-model/delete-model.command';
import { ImportModelCommand } from '../commands/import-model/import-model.command';
import { RegisterModelCommand } from '../commands/register-model/register-model.command';
import { SetActivationCommand } from '../commands/set-activation/set-activation.command';
import { VerifyModelCommand } from '../commands/verify-model/verify-model.command';
import { assertHexId, assertNamespaceName } from '../domain/names';
import { GetModelQuery, ListModelsQuery } from '../queries/models.queries';
import { ImportModelRequestDto, ListModelsQueryDto, ModelDto, ModelListDto } from './models.dto';
import { toModelDto } from './models.mapper';

const ID = ApiParam({ name: 'modelId', description: 'The artifact sha256' });
const NS = ApiParam({ name: 'namespace', description: 'Tenant namespace' });
const REFUSALS =
  'Refusals, each with its own code and nothing stored or activated: 400 MODELS.PACKAGE_MALFORMED (not BKG1, header length out of bounds, not JSON), ' +
  '400 MODELS.MANIFEST_INVALID, 422 MODELS.PUBLISHER_UNTRUSTED, 422 MODELS.SIGNATURE_INVALID, 422 MODELS.CHUNK_HASH_MISMATCH (details.chunk), ' +
  '422 MODELS.ARTIFACT_HASH_MISMATCH, 422 MODELS.ARTIFACT_TRUNCATED, 422 MODELS.ARTIFACT_TOO_LONG, 409 MODELS.VERSION_TAKEN / MODELS.MANIFEST_CONFLICT.';

const id = (modelId: string) => (assertHexId(modelId, 'modelId'), modelId);

@ApiTags('admin')
@ApiBearerAuth('apiKey')
@AdminOnly()
@ApiProblems(401, 403)
@Controller('api/v1/admin/llm/models')
export class ModelsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @StreamBody()
  @ApiConsumes('application/octet-stream')
  @ApiBody({ description: 'A `.bkg` package (`cave models pack`), streamed: never held in memory whole', schema: { type: 'string', format: 'binary' } })
  @ApiOperation({
    summary: 'Register a model from an uploaded .bkg package',
    description: `The header is checked before any artifact byte is stored; every chunk and the whole are hashed on the way into storage. Registering the same package again answers the same model. ${REFUSALS}`,
  })
  @ApiCreatedResponse({ type: ModelDto })
  @ApiProblems(400, 409, 422)
  async register(@Req() req: FastifyRequest, @CurrentCommandMeta() meta: CommandMeta): Promise<ModelDto> {
    return toModelDto(await this.commands.execute(new RegisterModelCommand(requestBodyStream(req), meta)));
  }

  @Post('import')
  @ApiOperation({ summary: 'Register a model from a .bkg package already in object storage', description: `Same checks as an upload. ${REFUSALS}` })
  @ApiCreatedResponse({ type: ModelDto })
  @ApiProblems(400, 404, 409, 422)
  async import(@Body() body: ImportModelRequestDto, @CurrentCommandMeta() meta: CommandMeta): Promise<ModelDto> {
    const source = { namespace: body.namespace ?? meta.namespace, bucket: body.bucket, key: body.key };
    return toModelDto(await this.commands.execute(new ImportModelCommand(source, meta)));
  }

  @Get()
  @ApiOperation({ summary: 'Registered models' })
  @ApiOkResponse({ type: ModelListDto })
  @ApiProblems(400)
  async list(@Query() q: ListModelsQueryDto): Promise<ModelListDto> {
    const items = await this.queries.execute(new ListModelsQuery({ status: q.status, name: q.name }));
    return { items: items.map(toModelDto) };
  }

  @Get(':modelId')
  @ID
  @ApiOperation({ summary: 'One model' })
  @ApiOkResponse({ type: ModelDto })
  @ApiProblems(400, 404)
  async get(@Param('modelId') modelId: string): Promise<ModelDto> {
    return toModelDto(await this.queries.execute(new GetModelQuery(id(modelId))));
  }

  @Post(':modelId/verify')
  @HttpCode(HttpStatus.OK)
  @ID
  @ApiOperation({
    summary: 'Re-hash every chunk of the stored artifact and check the publisher again',
    description: 'Records model_verified or model_verification_failed; a failure sets status `failed` with `failure.code` and closes every activation.',
  })
  @ApiOkResponse({ type: ModelDto })
  @ApiProblems(400, 404)
  async verify(@Param('modelId') modelId: string, @CurrentCommandMeta() meta: CommandMeta): Promise<ModelDto> {
    return toModelDto(await this.commands.execute(new VerifyModelCommand(id(modelId), meta)));
  }

  @Put(':modelId/activations/:namespace')
  @ID
  @NS
  @ApiOperation({ summary: 'Activate a verified model for a namespace', description: 'Idempotent. 409 MODELS.NOT_VERIFIED, 409 MODELS.NAME_ACTIVE (another model of that name is active there).' })
  @ApiOkResponse({ type: ModelDto })
  @ApiProblems(400, 404, 409)
  async activate(@Param('modelId') modelId: string, @Param('namespace') namespace: string, @CurrentCommandMeta() meta: CommandMeta): Promise<ModelDto> {
    assertNamespaceName(namespace);
    return toModelDto(await this.commands.execute(new SetActivationCommand(id(modelId), namespace, true, meta)));
  }

  @Delete(':modelId/activations/:namespace')
  @ID
  @NS
  @ApiOperation({ summary: 'Deactivate a model for a namespace (idempotent)' })
  @ApiOkResponse({ type: ModelDto })
  @ApiProblems(400, 404)
  async deactivate(@Param('modelId') modelId: string, @Param('namespace') namespace: string, @CurrentCommandMeta() meta: CommandMeta): Promise<ModelDto> {
    assertNamespaceName(namespace);
    return toModelDto(await this.commands.execute(new SetActivationCommand(id(modelId), namespace, false, meta)));
  }

  @Delete(':modelId')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ID
  @ApiOperation({ summary: 'Delete a model: every activation ends, the stored artifact and local copy are removed (a retry is a no-op)' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblems(400, 404)
  async delete(@Param('modelId') modelId: string, @CurrentCommandMeta() meta: CommandMeta): Promise<void> {
    await this.commands.execute(new DeleteModelCommand(id(modelId), meta));
  }
}
