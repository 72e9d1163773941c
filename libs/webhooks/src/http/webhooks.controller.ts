import { Body, Controller, Delete, Get, Header, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems, CurrentCommandMeta, CurrentPrincipal, UuidParamPipe } from '@cave/http';
import type { CommandMeta, Principal } from '@cave/kernel';
import { DeleteEndpointCommand } from '../commands/delete-endpoint/delete-endpoint.command';
import { RegisterEndpointCommand } from '../commands/register-endpoint/register-endpoint.command';
import { RetryDeliveryCommand } from '../commands/retry-delivery/retry-delivery.command';
import { GetDeliveryQuery, GetEndpointQuery, ListDeliveriesQuery, ListEndpointsQuery } from '../queries/webhook.queries';
import { DeliveryDto, DeliveryListDto, ListDeliveriesQueryDto } from './webhook-delivery.dto';
import { RegisteredEndpointDto, RegisterEndpointRequestDto, WebhookEndpointDto, WebhookEndpointListDto } from './webhook-endpoint.dto';

@ApiTags('webhooks')
@ApiBearerAuth('apiKey')
@ApiProblems(401)
@Controller('api/v1/webhooks')
export class WebhooksController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post('endpoints')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Register a webhook endpoint in your namespace; the signing secret is in this response only',
    description: 'URLs resolving to private, loopback or link-local addresses are refused (400 WEBHOOKS.PRIVATE_ADDRESS) unless CAVE_WEBHOOK_ALLOW_PRIVATE=true.',
  })
  @ApiCreatedResponse({ type: RegisteredEndpointDto })
  @ApiProblems(400)
  register(@Body() body: RegisterEndpointRequestDto, @CurrentCommandMeta() meta: CommandMeta): Promise<RegisteredEndpointDto> {
    return this.commands.execute(new RegisterEndpointCommand(body.url, body.eventTypes, body.secret, meta));
  }

  @Get('endpoints')
  @ApiOperation({ summary: 'Active endpoints (members: their namespace; admins: all). Never secrets.' })
  @ApiOkResponse({ type: WebhookEndpointListDto })
  async list(@CurrentPrincipal() principal: Principal): Promise<WebhookEndpointListDto> {
    return { items: await this.queries.execute(new ListEndpointsQuery(principal)) };
  }

  @Get('endpoints/:id')
  @ApiOperation({ summary: 'One endpoint (another namespace: 404)' })
  @ApiOkResponse({ type: WebhookEndpointDto })
  @ApiProblems(400, 404)
  get(@Param('id', UuidParamPipe) id: string, @CurrentPrincipal() principal: Principal): Promise<WebhookEndpointDto> {
    return this.queries.execute(new GetEndpointQuery(principal, id));
  }

  @Delete('endpoints/:id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete an endpoint and its secret; deliveries still queued for it are dead-lettered' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblems(400, 404)
  async delete(@Param('id', UuidParamPipe) id: string, @CurrentCommandMeta() meta: CommandMeta): Promise<void> {
    await this.commands.execute(new DeleteEndpointCommand(id, meta));
  }

  @Get('deliveries')
  @ApiOperation({ summary: 'Deliveries, newest first, each with its attempt history (status codes, latency)' })
  @ApiOkResponse({ type: DeliveryListDto })
  @ApiProblems(400)
  async deliveries(@Query() q: ListDeliveriesQueryDto, @CurrentPrincipal() principal: Principal): Promise<DeliveryListDto> {
    const filter = { status: q.status, webhookId: q.webhookId, endpointId: q.endpointId, limit: q.limit ?? 100, namespace: principal.role === 'admin' ? q.namespace : undefined };
    return { items: await this.queries.execute(new ListDeliveriesQuery(principal, filter)) };
  }

  @Get('deliveries/:id')
  @ApiOperation({ summary: 'One delivery with its history (another namespace: 404)' })
  @ApiOkResponse({ type: DeliveryDto })
  @ApiProblems(400, 404)
  delivery(@Param('id', UuidParamPipe) id: string, @CurrentPrincipal() principal: Principal): Promise<DeliveryDto> {
    return this.queries.execute(new GetDeliveryQuery(principal, id));
  }

  @Post('deliveries/:id/retry')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Give a dead-lettered delivery a fresh round of attempts (409 WEBHOOKS.DELIVERY_NOT_DEAD otherwise)' })
  @ApiOkResponse({ type: DeliveryDto })
  @ApiProblems(400, 404, 409)
  retry(@Param('id', UuidParamPipe) id: string, @CurrentCommandMeta() meta: CommandMeta): Promise<DeliveryDto> {
    return this.commands.execute(new RetryDeliveryCommand(id, meta));
  }
}
