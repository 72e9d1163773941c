import { Body, Controller, Delete, Get, Header, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly, ApiProblems, CurrentCommandMeta, CurrentPrincipal } from '@cave/http';
import type { CommandMeta, Principal } from '@cave/kernel';
import { IssueKeyCommand } from '../commands/issue-key/issue-key.command';
import { RevokeKeyCommand } from '../commands/revoke-key/revoke-key.command';
import { RotateKeyCommand } from '../commands/rotate-key/rotate-key.command';
import { GetKeyQuery } from '../queries/get-key/get-key.query';
import { ListKeysQuery } from '../queries/list-keys/list-keys.query';
import { ApiKeyDto, ApiKeyListDto } from './api-key.dto';
import { IssueKeyRequestDto, IssuedKeyDto } from './issue-key.dto';
import { KeyIdParamsDto } from './key-id-params.dto';
import { ListKeysQueryDto } from './list-keys-query.dto';
import { RotateKeyRequestDto, RotationOutcomeDto } from './rotate-key.dto';

@ApiTags('auth')
@ApiBearerAuth('apiKey')
@ApiProblems(401)
@Controller('api/v1/auth/keys')
export class KeysController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @AdminOnly()
  // The body carries a secret: no cache may keep it.
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Issue an API key (admin). The key is in this response only; it is stored as a SHA-256 hash.' })
  @ApiCreatedResponse({ type: IssuedKeyDto })
  @ApiProblems(400, 403)
  async issue(@Body() body: IssueKeyRequestDto, @CurrentCommandMeta() meta: CommandMeta): Promise<IssuedKeyDto> {
    return this.commands.execute(new IssueKeyCommand(body.namespace, body.name, body.role, meta));
  }

  @Post('rotate')
  @HttpCode(HttpStatus.OK)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Rotate an API key: issue a new one and revoke the old one at once or when the grace window ends',
    description:
      'Default: the calling key, grace 0. Members rotate only their own key (403 otherwise; keys of other namespaces are 404); admins any key. ' +
      'The old key fails from the first request after revokedAt, on every instance. A key_rotated webhook is delivered to ' +
      'CAVE_ROTATION_WEBHOOK_URL and to endpoints subscribed to key_rotated; its body and signature are in this response. ' +
      'A revoked or already rotated key is 409 KEYS.NOT_ROTATABLE.',
  })
  @ApiOkResponse({ type: RotationOutcomeDto })
  @ApiProblems(400, 403, 404, 409)
  async rotate(@Body() body: RotateKeyRequestDto, @CurrentCommandMeta() meta: CommandMeta): Promise<RotationOutcomeDto> {
    return this.commands.execute(new RotateKeyCommand(body.keyId?.toLowerCase(), body.graceSeconds ?? 0, meta));
  }

  @Get()
  @ApiOperation({ summary: 'List API keys: admins see all (filter with ?namespace=), members their namespace. Never secrets or hashes.' })
  @ApiOkResponse({ type: ApiKeyListDto })
  @ApiProblems(400)
  async list(@Query() query: ListKeysQueryDto, @CurrentPrincipal() principal: Principal): Promise<ApiKeyListDto> {
    return { items: await this.queries.execute(new ListKeysQuery(principal, query.namespace)) };
  }

  @Get(':id')
  @ApiOperation({ summary: "One API key's metadata (members: own namespace only, otherwise 404)" })
  @ApiOkResponse({ type: ApiKeyDto })
  @ApiProblems(400, 404)
  async get(@Param() params: KeyIdParamsDto, @CurrentPrincipal() principal: Principal): Promise<ApiKeyDto> {
    return this.queries.execute(new GetKeyQuery(principal, params.id));
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Revoke an API key; it fails from its next request on',
    description:
      'Admins may revoke any key; members only keys of their namespace (others are 404) and never an admin key (403). ' +
      'Revoking a revoked key is a no-op that also returns 204, so retries are safe.',
  })
  @ApiNoContentResponse({ description: 'Revoked (or already revoked)' })
  @ApiProblems(400, 403, 404)
  async revoke(@Param() params: KeyIdParamsDto, @CurrentCommandMeta() meta: CommandMeta): Promise<void> {
    await this.commands.execute(new RevokeKeyCommand(params.id, meta));
  }
}
