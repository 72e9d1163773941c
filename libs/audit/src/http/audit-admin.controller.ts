import { Controller, Get, Header, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { AdminOnly, ApiProblems } from '@cave/http';
import { AuditService } from '../audit.service';
import {
  AuditEntriesPageDto, ConsistencyProofDto, ConsistencyProofQueryDto, EntriesQueryDto, InclusionProofDto,
  InclusionProofQueryDto, MemberProofDto, VerificationReportDto,
} from './audit.dto';

@ApiTags('audit')
@ApiBearerAuth('apiKey')
@ApiProblems(400, 401, 403)
@AdminOnly()
@Controller('api/v1/admin/audit')
export class AuditAdminController {
  constructor(private readonly audit: AuditService) {}

  @Get('checkpoint')
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @ApiOperation({ summary: 'Latest signed checkpoint (C2SP tlog-checkpoint signed note, Ed25519)' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ schema: { type: 'string', example: 'cave-audit-1a2b3c4d\n42\nqL9...=\n\n\u2014 cave-audit-1a2b3c4d Ab12...\n' } })
  @ApiProblems(409)
  async checkpoint(): Promise<string> {
    return (await this.audit.checkpoint()).note;
  }

  @Get('public-key')
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @ApiOperation({ summary: 'Signed-note verifier key `<name>+<hex key id>+<base64(0x01 || Ed25519 public key)>`' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ schema: { type: 'string', example: 'cave-audit-1a2b3c4d+5f2e9a10+AQ...' } })
  publicKey(): string {
    return this.audit.checkpoints.signer.verifierKey + '\n';
  }

  @Get('proof/inclusion')
  @ApiOperation({ summary: 'RFC 9162 inclusion proof of entry `seq` in the tree of size `treeSize`' })
  @ApiOkResponse({ type: InclusionProofDto })
  inclusion(@Query() q: InclusionProofQueryDto): Promise<InclusionProofDto> {
    return this.audit.inclusionProof(Number(q.seq), q.treeSize === undefined ? undefined : Number(q.treeSize));
  }

  @Get('proof/consistency')
  @ApiOperation({ summary: 'RFC 9162 consistency proof between tree sizes `from` and `to`' })
  @ApiOkResponse({ type: ConsistencyProofDto })
  consistency(@Query() q: ConsistencyProofQueryDto): Promise<ConsistencyProofDto> {
    return this.audit.consistencyProof(Number(q.from), q.to === undefined ? undefined : Number(q.to));
  }

  @Get('entries')
  @ApiOperation({ summary: 'Audit entries in seq order' })
  @ApiOkResponse({ type: AuditEntriesPageDto })
  entries(@Query() q: EntriesQueryDto): Promise<AuditEntriesPageDto> {
    return this.audit.entries(q.after === undefined ? undefined : Number(q.after), Number(q.limit ?? 100));
  }

  @Get('entries/:eventId/proof')
  @ApiOperation({ summary: "Any namespace's event: its audit entry, inclusion proof and the signed checkpoint it leads to (members: GET /api/v1/audit/entries/{eventId}/proof)" })
  @ApiOkResponse({ type: MemberProofDto })
  @ApiProblems(404)
  proof(@Param('eventId') eventId: string): Promise<MemberProofDto> {
    return this.audit.memberProof(undefined, eventId);
  }

  @Post('verify')
  @HttpCode(200)
  @ApiOperation({ summary: 'Verify table, file, latest checkpoint and completeness against events; names the first bad entry' })
  @ApiOkResponse({ type: VerificationReportDto })
  verify(): Promise<VerificationReportDto> {
    return this.audit.verify();
  }
}
