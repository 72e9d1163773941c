import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import type { Principal } from '@cave/kernel';
import { ApiProblems, CurrentPrincipal } from '@cave/http';
import { API_KEY_ROLES } from '../contracts/api-key.events';

export class WhoAmIDto {
  @ApiProperty({ example: 'key_2d1c7f0e' }) keyId: string;
  @ApiProperty({ example: 'team-a' }) namespace: string;
  @ApiProperty({ enum: API_KEY_ROLES, example: 'member' }) role: string;
}

/** Lets a client (the console's sign-in) learn what the key it holds may do without probing admin routes. */
@ApiTags('auth')
@ApiBearerAuth('apiKey')
@Controller('api/v1/auth/whoami')
export class WhoAmIController {
  @Get()
  @ApiOperation({ summary: "The calling key's id, namespace and role" })
  @ApiOkResponse({ type: WhoAmIDto })
  @ApiProblems(401)
  whoami(@CurrentPrincipal() p: Principal): WhoAmIDto {
    return { keyId: p.keyId, namespace: p.namespace, role: p.role };
  }
}
