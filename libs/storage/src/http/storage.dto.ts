import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { QueryInt } from '@cave/http';
import { MAX_SIGNED_TTL_SECONDS } from '../domain/signed-url';
import { MAX_PARTS } from '../domain/upload.decider';

export class BucketDto {
  @ApiProperty({ example: 'photos' }) name: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class BucketDetailsDto extends BucketDto {
  @ApiProperty({ description: 'Objects in the bucket' }) objects: number;
  @ApiProperty({ description: 'Bytes of those objects' }) bytes: number;
}

export class BucketPageDto {
  @ApiProperty({ type: [BucketDto] }) items: BucketDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last one' }) nextCursor: string | null;
}

export class ListBucketsQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @QueryInt()
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;

  @ApiPropertyOptional({ description: '`nextCursor` of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  cursor?: string;
}

export class ListObjectsQueryDto extends ListBucketsQueryDto {
  @ApiPropertyOptional({ description: 'Only keys starting with this', example: 'photos/2026/' })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  prefix?: string;

  @ApiPropertyOptional({ description: 'Group keys that continue past this (after the prefix) into `prefixes`', example: '/' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(16)
  delimiter?: string;
}

export class ObjectDto {
  @ApiProperty() bucket: string;
  @ApiProperty() key: string;
  @ApiProperty({ description: 'Bytes' }) size: number;
  @ApiProperty({ description: 'SHA-256 of the content, hex' }) sha256: string;
  @ApiProperty({ description: 'Strong entity tag: the quoted sha256', example: '"9f86d0…"' }) etag: string;
  @ApiProperty({ example: 'image/png' }) contentType: string;
  @ApiProperty({ description: 'Object version (its stream version)' }) version: number;
  @ApiProperty({ format: 'date-time' }) storedAt: string;
}

export class ObjectPageDto {
  @ApiProperty({ type: [ObjectDto] }) items: ObjectDto[];
  @ApiProperty({ type: [String], description: 'Common prefixes when a delimiter was given' }) prefixes: string[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}

export class CreateUploadDto {
  @ApiProperty({ description: 'Key of the object the upload will become', example: 'videos/big.mp4' })
  @IsString()
  @MinLength(1)
  @MaxLength(4096)
  key: string;

  @ApiPropertyOptional({ default: 'application/octet-stream' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  contentType?: string;
}

export class UploadDto {
  @ApiProperty({ format: 'uuid' }) uploadId: string;
  @ApiProperty() bucket: string;
  @ApiProperty() key: string;
  @ApiProperty() contentType: string;
}

export class PartDto {
  @ApiProperty() partNumber: number;
  @ApiProperty() size: number;
  @ApiProperty() sha256: string;
  @ApiProperty({ description: 'Quoted sha256 of the part' }) etag: string;
}

export class UploadPartsDto {
  @ApiProperty({ format: 'uuid' }) uploadId: string;
  @ApiProperty() key: string;
  @ApiProperty({ enum: ['open', 'completed', 'aborted'] }) status: string;
  @ApiProperty({ type: [PartDto] }) parts: PartDto[];
}

export class CompleteUploadDto {
  @ApiPropertyOptional({ type: [Number], description: 'Part numbers in ascending order; default: every uploaded part' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_PARTS)
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(MAX_PARTS, { each: true })
  parts?: number[];
}

export class SignUrlDto {
  @ApiProperty({ example: 'reports/q3.pdf' })
  @IsString()
  @MinLength(1)
  @MaxLength(4096)
  key: string;

  @ApiProperty({ enum: ['GET', 'PUT'] })
  @IsIn(['GET', 'PUT'])
  method: 'GET' | 'PUT';

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_SIGNED_TTL_SECONDS, default: 900 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_SIGNED_TTL_SECONDS)
  expiresInSeconds?: number;
}

export class SignedUrlDto {
  @ApiProperty({ description: 'Path and query to call with the given method, without an API key', example: '/api/v1/storage/signed/ns/bucket/key?method=GET&expires=1767225600&issuer=…&signature=…' })
  url: string;
  @ApiProperty({ enum: ['GET', 'PUT'] }) method: string;
  @ApiProperty({ format: 'date-time' }) expiresAt: string;
}

export class SweepReportDto {
  @ApiProperty({ description: 'Blobs the backend holds' }) scanned: number;
  @ApiProperty({ description: 'Unreferenced blobs older than the grace period, removed' }) collected: number;
  @ApiProperty({ description: 'Half-written leftovers removed' }) temporary: number;
}
