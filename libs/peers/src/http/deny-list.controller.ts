import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly, ApiProblems, CurrentCommandMeta } from '@cave/http';
import type { CommandMeta } from '@cave/kernel';
import { Database } from '@cave/event-store';
import { DenyCertificateCommand } from '../commands/deny-certificate/deny-certificate.command';
import { UndenyCertificateCommand } from '../commands/undeny-certificate/undeny-certificate.command';
import { denyListReadModel } from '../read-models/deny-list.read-model';
import { DenyCertificateRequestDto, DenyEntryDto, DenyListDto } from './deny-list.dto';

@ApiTags('peers')
@ApiBearerAuth('apiKey')
@AdminOnly()
@ApiProblems(401, 403)
@Controller('api/v1/peers/deny-list')
export class DenyListController {
  constructor(
    private readonly commands: CommandBus,
    private readonly db: Database,
  ) {}

  @Post()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Deny a node certificate (by serial) or a whole node (by node id) on the peer listener',
    description: 'Takes effect on the next connection, in both directions (served and dialled). Denying an entry twice changes nothing.',
  })
  @ApiOkResponse({ type: DenyEntryDto })
  @ApiProblems(400)
  deny(@Body() body: DenyCertificateRequestDto, @CurrentCommandMeta() meta: CommandMeta): Promise<DenyEntryDto> {
    return this.commands.execute(new DenyCertificateCommand({ serial: body.serial, nodeId: body.nodeId }, body.reason, meta));
  }

  @Get()
  @ApiOperation({ summary: 'The deny list' })
  @ApiOkResponse({ type: DenyListDto })
  async list(): Promise<DenyListDto> {
    return { items: await this.db.asAdmin((c) => denyListReadModel.list(c)) };
  }

  @Delete(':entry')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Take an entry (`serial:<hex>` or `node:<uuid>`) off the deny list' })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiProblems(400, 404)
  async undeny(@Param('entry') entry: string, @CurrentCommandMeta() meta: CommandMeta): Promise<void> {
    await this.commands.execute(new UndenyCertificateCommand(entry, meta));
  }
}
