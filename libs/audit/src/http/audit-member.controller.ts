import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Principal } from '@cave/kernel';
import { ApiProblems, CurrentPrincipal } from '@cave/http';
import { AuditService } from '../audit.service';
import { MemberProofDto } from './audit.dto';

@ApiTags('audit')
@ApiBearerAuth('apiKey')
@Controller('api/v1/audit')
export class AuditMemberController {
  constructor(private readonly audit: AuditService) {}

  @Get('entries/:eventId/proof')
  @ApiOperation({ summary: "Audit entry of one of your namespace's events with its inclusion proof and the signed checkpoint" })
  @ApiOkResponse({ type: MemberProofDto })
  @ApiProblems(401, 404)
  proof(@CurrentPrincipal() principal: Principal, @Param('eventId') eventId: string): Promise<MemberProofDto> {
    return this.audit.memberProof(principal.namespace, eventId);
  }
}
