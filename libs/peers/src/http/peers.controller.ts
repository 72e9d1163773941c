import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiAcceptedResponse, ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly, ApiProblems, CurrentCommandMeta, UuidParamPipe } from '@cave/http';
import type { CommandMeta } from '@cave/kernel';
import { Database } from '@cave/event-store';
import { RegisterPeerCommand } from '../commands/register-peer/register-peer.command';
import { RemovePeerCommand } from '../commands/remove-peer/remove-peer.command';
import { RequestReplicationCommand } from '../commands/request-replication/request-replication.command';
import { PeerNotFoundError, ReplicationNotFoundError } from '../domain/peers.errors';
import { peersReadModel } from '../read-models/peers.read-model';
import { replicationsReadModel } from '../read-models/replications.read-model';
import { Replicator } from '../replication/replicator';
import { PeerDto, PeerListDto, RegisterPeerRequestDto, ReplicationDto, ReplicationListDto, RequestReplicationDto } from './peers.dto';
import { toReplicationDto } from './replication.mapper';

@ApiTags('peers')
@ApiBearerAuth('apiKey')
@AdminOnly()
@ApiProblems(401, 403)
@Controller('api/v1/peers')
export class PeersController {
  constructor(
    private readonly commands: CommandBus,
    private readonly db: Database,
    private readonly replicator: Replicator,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Register a peer by the https URL of its mutual-TLS listener; its health is polled at once' })
  @ApiCreatedResponse({ type: PeerDto })
  @ApiProblems(400, 409)
  register(@Body() body: RegisterPeerRequestDto, @CurrentCommandMeta() meta: CommandMeta): Promise<PeerDto> {
    return this.commands.execute(new RegisterPeerCommand(body.url, body.name, meta));
  }

  @Get()
  @ApiOperation({ summary: 'Registered peers with their health (last seen, RTT, free disk, memory)' })
  @ApiOkResponse({ type: PeerListDto })
  async list(): Promise<PeerListDto> {
    return { items: await this.db.asAdmin((c) => peersReadModel.list(c)) };
  }

  @Post('replications')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Get a model (by manifest sha256) onto this node from every peer that holds it',
    description: 'Starts a job and answers at once; follow it with GET /api/v1/peers/replications/{id}. With an Idempotency-Key a retry answers the same job.',
  })
  @ApiAcceptedResponse({ type: ReplicationDto })
  @ApiProblems(400, 503)
  async replicate(@Body() body: RequestReplicationDto, @CurrentCommandMeta() meta: CommandMeta): Promise<ReplicationDto> {
    const view = await this.commands.execute(new RequestReplicationCommand(body.artifactSha256, body.maxBytesPerSec, meta));
    return toReplicationDto(view, this.replicator.progress(view.id));
  }

  @Get('replications')
  @ApiOperation({ summary: 'Replication jobs, newest first' })
  @ApiOkResponse({ type: ReplicationListDto })
  async replications(): Promise<ReplicationListDto> {
    const views = await this.db.asAdmin((c) => replicationsReadModel.list(c));
    return { items: views.map((v) => toReplicationDto(v, this.replicator.progress(v.id))) };
  }

  @Get('replications/:id')
  @ApiOperation({ summary: 'One replication job with its progress (bytes, chunks, rate, ETA, per-peer share)' })
  @ApiOkResponse({ type: ReplicationDto })
  @ApiProblems(400, 404)
  async replication(@Param('id', UuidParamPipe) id: string): Promise<ReplicationDto> {
    const v = await this.db.asAdmin((c) => replicationsReadModel.get(c, id));
    if (!v) throw new ReplicationNotFoundError(id);
    return toReplicationDto(v, this.replicator.progress(id));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One peer with its health' })
  @ApiOkResponse({ type: PeerDto })
  @ApiProblems(400, 404)
  async get(@Param('id', UuidParamPipe) id: string): Promise<PeerDto> {
    const v = await this.db.asAdmin((c) => peersReadModel.get(c, id));
    if (!v) throw new PeerNotFoundError(id);
    return v;
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Remove a peer (no more polls or chunk requests to it)' })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiProblems(400, 404)
  async remove(@Param('id', UuidParamPipe) id: string, @CurrentCommandMeta() meta: CommandMeta): Promise<void> {
    await this.commands.execute(new RemovePeerCommand(id, meta));
  }
}
