import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

const HEX64 = '^[0-9a-f]{64}$';

export class TrustPublisherRequestDto {
  @ApiProperty({
    description: 'Ed25519 public key: SPKI PEM, or the raw 32 bytes in base64 (what `cave models keygen` prints)',
    example: '3xJs08Th/eVe0rDPcAcRqjEJEOB+VgDQzqrm9bnMpUs=',
    maxLength: 4096,
  })
  @IsString()
  @MaxLength(4096)
  publicKey: string;

  @ApiPropertyOptional({ description: 'Who this key belongs to (printable ASCII)', maxLength: 128, example: 'bkg-release-2026' })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  label?: string;
}

export class PublisherDto {
  @ApiProperty({ description: 'Hex SHA-256 of the raw public key (what manifests name)', pattern: HEX64 }) publisherId: string;
  @ApiProperty({ description: 'Raw Ed25519 public key, base64' }) publicKey: string;
  @ApiProperty({ type: String, nullable: true }) label: string | null;
  @ApiProperty({ enum: ['trusted', 'revoked'] }) status: 'trusted' | 'revoked';
  @ApiProperty({ format: 'date-time' }) trustedAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) revokedAt: string | null;
}

export class PublisherListDto {
  @ApiProperty({ type: [PublisherDto] }) items: PublisherDto[];
}

export class ModelFailureDto {
  @ApiProperty({ example: 'MODELS.CHUNK_HASH_MISMATCH' }) code: string;
  @ApiProperty({ type: Number, nullable: true, description: 'First chunk that did not match' }) chunk: number | null;
}

export class ModelDto {
  @ApiProperty({ description: 'The artifact sha256 (one artifact, one model)', pattern: HEX64 }) modelId: string;
  @ApiProperty({ example: 'tiny-llama' }) name: string;
  @ApiProperty({ example: '1.0.0' }) version: string;
  @ApiProperty({ enum: ['gguf'] }) format: 'gguf';
  @ApiProperty({ pattern: HEX64 }) sha256: string;
  @ApiProperty() sizeBytes: number;
  @ApiProperty() chunkSize: number;
  @ApiProperty() chunkCount: number;
  @ApiProperty({ example: 'MIT' }) license: string;
  @ApiProperty({ pattern: HEX64 }) publisher: string;
  @ApiProperty({ enum: ['unverified', 'verified', 'failed'], description: 'Only verified models can be activated and served' }) status: string;
  @ApiProperty({ description: '`upload`, `storage:<namespace>/<bucket>/<key>` or `assembled`' }) source: string;
  @ApiProperty({ format: 'date-time' }) registeredAt: string;
  @ApiProperty({ type: String, nullable: true }) registeredBy: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) verifiedAt: string | null;
  @ApiProperty({ type: ModelFailureDto, nullable: true, description: 'Why the last verification failed' }) failure: ModelFailureDto | null;
  @ApiProperty({ type: [String], description: 'Namespaces the model is activated for' }) activeIn: string[];
}

export class ModelListDto {
  @ApiProperty({ type: [ModelDto] }) items: ModelDto[];
}

export class ListModelsQueryDto {
  @ApiPropertyOptional({ enum: ['unverified', 'verified', 'failed'] })
  @IsOptional()
  @IsIn(['unverified', 'verified', 'failed'])
  status?: 'unverified' | 'verified' | 'failed';

  @ApiPropertyOptional({ description: 'Only this model name' })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9._-]{0,63}$/)
  name?: string;
}

export class ImportModelRequestDto {
  @ApiPropertyOptional({ description: 'Namespace of the object (default: yours)', example: 'acme' })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9_-]{0,62}$/)
  namespace?: string;

  @ApiProperty({ example: 'uploads' })
  @IsString()
  @MaxLength(63)
  bucket: string;

  @ApiProperty({ example: 'models/tiny.bkg' })
  @IsString()
  @MaxLength(1024)
  key: string;
}
