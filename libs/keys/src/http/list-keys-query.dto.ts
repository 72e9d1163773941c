import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';
import { NAMESPACE_PATTERN } from '../domain/api-key.rules';

export class ListKeysQueryDto {
  @ApiPropertyOptional({ description: 'Only keys of this namespace (members always see only their own)', pattern: NAMESPACE_PATTERN.source, example: 'acme' })
  @IsOptional()
  @IsString()
  @Matches(NAMESPACE_PATTERN, { message: 'namespace must match ^[a-z0-9][a-z0-9_-]{0,62}$' })
  namespace?: string;
}
