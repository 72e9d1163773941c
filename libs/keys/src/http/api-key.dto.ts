import { ApiProperty } from '@nestjs/swagger';
import { API_KEY_ROLES, ApiKeyRole } from '../contracts/api-key.events';

/** A key as listed: metadata only, never the key or its hash. */
export class ApiKeyDto {
  @ApiProperty({ format: 'uuid', example: '0b6f7c1e-2a4d-4c1b-9f0e-5d8a3c2b1a90' }) id: string;
  @ApiProperty({ example: 'acme' }) namespace: string;
  @ApiProperty({ example: 'ci-deployer' }) name: string;
  @ApiProperty({ enum: API_KEY_ROLES, example: 'member' }) role: ApiKeyRole;
  @ApiProperty({ example: 'cave_sk_3q2-' }) prefix: string;
  @ApiProperty({ enum: ['active', 'revoked'], example: 'active' }) status: 'active' | 'revoked';
  @ApiProperty({ format: 'date-time', example: '2026-11-25T12:00:00.000Z' }) createdAt: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, example: null }) revokedAt: string | null;
}

export class ApiKeyListDto {
  @ApiProperty({ type: [ApiKeyDto] }) items: ApiKeyDto[];
}
