import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, Length, Matches } from 'class-validator';
import { API_KEY_ROLES, ApiKeyRole } from '../contracts/api-key.events';
import { NAME_MAX_LENGTH, NAME_PATTERN, NAMESPACE_PATTERN } from '../domain/api-key.rules';

export class IssueKeyRequestDto {
  @ApiProperty({ description: 'Tenant namespace the key belongs to', pattern: NAMESPACE_PATTERN.source, example: 'acme' })
  @IsString()
  @Matches(NAMESPACE_PATTERN, { message: 'namespace must match ^[a-z0-9][a-z0-9_-]{0,62}$' })
  namespace: string;

  @ApiProperty({ description: 'Human label, e.g. where the key is used', minLength: 1, maxLength: NAME_MAX_LENGTH, example: 'ci-deployer' })
  @IsString()
  @Length(1, NAME_MAX_LENGTH)
  @Matches(NAME_PATTERN, { message: 'name must contain a visible character and no control characters' })
  name: string;

  @ApiProperty({ enum: API_KEY_ROLES, description: 'member: its namespace only; admin: every namespace and admin routes', example: 'member' })
  @IsIn(API_KEY_ROLES)
  role: ApiKeyRole;
}

/** Returned once at creation: the only time the key is readable. */
export class IssuedKeyDto {
  @ApiProperty({ format: 'uuid', example: '0b6f7c1e-2a4d-4c1b-9f0e-5d8a3c2b1a90' }) id: string;
  @ApiProperty({ description: 'The API key. Shown only in this response; store it now.', example: 'cave_sk_3q2-7wEjKf0yT1xv9c8m4n5b6v7c8x9z0a1s2d3f4g5' })
  key: string;
  @ApiProperty({ description: 'First 12 characters, to tell keys apart in lists', example: 'cave_sk_3q2-' }) prefix: string;
  @ApiProperty({ example: 'acme' }) namespace: string;
  @ApiProperty({ example: 'ci-deployer' }) name: string;
  @ApiProperty({ enum: API_KEY_ROLES, example: 'member' }) role: ApiKeyRole;
  @ApiProperty({ format: 'date-time', example: '2026-11-25T12:00:00.000Z' }) createdAt: string;
}
