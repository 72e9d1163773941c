import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';

const UINT = /^(0|[1-9][0-9]{0,14})$/;
const UINT_MSG = 'must be a non-negative integer';

export class InclusionProofQueryDto {
  @ApiProperty({ description: 'seq of the entry (its leaf index)', example: '42' })
  @Matches(UINT, { message: `seq ${UINT_MSG}` })
  seq: string;

  @ApiPropertyOptional({ description: 'Tree size to prove against (default: the current size)', example: '100' })
  @IsOptional()
  @Matches(UINT, { message: `treeSize ${UINT_MSG}` })
  treeSize?: string;
}

export class ConsistencyProofQueryDto {
  @ApiProperty({ description: 'The older tree size', example: '10' })
  @Matches(UINT, { message: `from ${UINT_MSG}` })
  from: string;

  @ApiPropertyOptional({ description: 'The newer tree size (default: the current size)', example: '100' })
  @IsOptional()
  @Matches(UINT, { message: `to ${UINT_MSG}` })
  to?: string;
}

export class EntriesQueryDto {
  @ApiPropertyOptional({ description: 'Return entries with seq greater than this', example: '99' })
  @IsOptional()
  @Matches(UINT, { message: `after ${UINT_MSG}` })
  after?: string;

  @ApiPropertyOptional({ description: 'Page size, 1..1000 (default 100)', example: '100' })
  @IsOptional()
  @Matches(/^([1-9][0-9]{0,2}|1000)$/, { message: 'limit must be an integer between 1 and 1000' })
  limit?: string;
}

export class AuditEntryDto {
  @ApiProperty({ example: 0 }) seq: number;
  @ApiProperty({ example: 17 }) globalPosition: number;
  @ApiProperty({ format: 'uuid' }) eventId: string;
  @ApiProperty({ example: 'sandbox_created' }) eventType: string;
  @ApiProperty({ example: 'team-a' }) namespace: string;
  @ApiProperty({ type: String, nullable: true, example: 'key_1a2b3c' }) actor: string | null;
  @ApiProperty({ example: '2026-11-25T12:00:00.000Z' }) recordedAt: string;
  @ApiProperty({ description: 'SHA-256 hex of the RFC 8785 canonical event data' }) dataSha256: string;
  @ApiProperty({ description: 'hash of the previous entry (64 zeros for seq 0)' }) prevHash: string;
  @ApiProperty({ description: 'SHA-256 hex of the canonical entry without hash and hmac' }) hash: string;
  @ApiProperty({ type: String, nullable: true, description: 'names the HMAC key (first 8 hex of its SHA-256)' }) keyId: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'base64 HMAC-SHA256(key, hash)' }) hmac: string | null;
}

export class AuditEntriesPageDto {
  @ApiProperty({ type: [AuditEntryDto] }) entries: AuditEntryDto[];
  @ApiPropertyOptional({ description: 'Pass as `after` to get the next page; absent on the last page' }) next?: number;
}

export class InclusionProofDto {
  @ApiProperty({ example: 42 }) leafIndex: number;
  @ApiProperty({ example: 100 }) treeSize: number;
  @ApiProperty({ type: [String], description: 'base64 sibling hashes, leaf to root (RFC 9162 order)' }) hashes: string[];
}

export class ConsistencyProofDto {
  @ApiProperty({ example: 10 }) from: number;
  @ApiProperty({ example: 100 }) to: number;
  @ApiProperty({ type: [String], description: 'base64 hashes (RFC 9162 section 2.1.4)' }) hashes: string[];
}

export class MemberProofDto extends InclusionProofDto {
  @ApiProperty({ type: AuditEntryDto }) entry: AuditEntryDto;
  @ApiProperty({ description: 'Signed C2SP checkpoint whose root the proof leads to' }) checkpoint: string;
}

export class VerificationProblemDto {
  @ApiProperty({ enum: ['modified', 'removed', 'inserted', 'reordered', 'bad_hmac', 'truncated', 'forked', 'bad_checkpoint'] }) reason: string;
  @ApiProperty({ description: 'seq of the first bad entry' }) seq: number;
  @ApiPropertyOptional({ description: '1-based line (file) or row position (table)' }) line?: number;
  @ApiPropertyOptional({ format: 'uuid' }) eventId?: string;
  @ApiProperty() detail: string;
  @ApiPropertyOptional({ enum: ['table', 'events', 'file'] }) source?: string;
}

export class VerificationPartDto {
  @ApiProperty() ok: boolean;
  @ApiProperty() entries: number;
  @ApiProperty({ description: 'false when no HMAC key is configured' }) hmacChecked: boolean;
  @ApiPropertyOptional({ type: VerificationProblemDto }) problem?: VerificationProblemDto;
  @ApiProperty() elapsedMs: number;
}

export class CompletenessDto {
  @ApiProperty() eventsChecked: number;
  @ApiProperty({ description: 'events not audited yet (writer lag), not a problem' }) pending: number;
  @ApiPropertyOptional({ type: VerificationProblemDto }) problem?: VerificationProblemDto;
}

export class VerificationReportDto {
  @ApiProperty() ok: boolean;
  @ApiPropertyOptional({ type: VerificationProblemDto, description: 'The first problem across table, events and file' }) problem?: VerificationProblemDto;
  @ApiProperty({ type: VerificationPartDto }) table: VerificationPartDto;
  @ApiProperty({ type: CompletenessDto }) completeness: CompletenessDto;
  @ApiPropertyOptional({ type: VerificationPartDto }) file?: VerificationPartDto;
}
