import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, MaxLength } from 'class-validator';

export class DenyCertificateRequestDto {
  @ApiPropertyOptional({ description: 'Certificate serial in hex (as `pki issue-node` prints it; colons allowed)', maxLength: 96, example: '5f1c0e2a9b7d4c3e8a6f1b2d3c4e5f60' })
  @IsOptional()
  @IsString()
  @MaxLength(96)
  serial?: string;

  @ApiPropertyOptional({ description: 'Node id (the `urn:cave:node:<id>` name): denies every certificate of that node', format: 'uuid' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  nodeId?: string;

  @ApiProperty({ description: 'Why (kept in the event)', minLength: 1, maxLength: 200, example: 'key leaked' })
  @IsString()
  @Length(1, 200)
  reason: string;
}

export class DenyEntryDto {
  @ApiProperty({ description: '`serial:<hex>` or `node:<uuid>`', example: 'serial:5f1c0e2a9b7d4c3e8a6f1b2d3c4e5f60' }) entry: string;
  @ApiProperty() reason: string;
  @ApiProperty({ format: 'date-time' }) deniedAt: string;
}

export class DenyListDto {
  @ApiProperty({ type: [DenyEntryDto] }) items: DenyEntryDto[];
}
