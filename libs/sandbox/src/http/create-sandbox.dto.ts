import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateIf, ValidateNested } from 'class-validator';
import { LIMIT_BOUNDS } from '../domain/sandbox-limits';
import type { SandboxMode, SandboxRuntime } from '../domain/sandbox.events';
import { IsLabels } from './labels.validator';

export const RUNTIMES: SandboxRuntime[] = ['javascript', 'wasi'];
export const MODES: SandboxMode[] = ['quick', 'persistent'];

export class SandboxLimitsInputDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 1024, default: 64, example: 128 })
  @IsOptional()
  @IsInt()
  @Min(LIMIT_BOUNDS.memoryMb.min)
  @Max(LIMIT_BOUNDS.memoryMb.max)
  memoryMb?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 60000, default: 5000, example: 10000 })
  @IsOptional()
  @IsInt()
  @Min(LIMIT_BOUNDS.timeoutMs.min)
  @Max(LIMIT_BOUNDS.timeoutMs.max)
  timeoutMs?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 1048576, default: 65536, example: 65536 })
  @IsOptional()
  @IsInt()
  @Min(LIMIT_BOUNDS.maxOutputBytes.min)
  @Max(LIMIT_BOUNDS.maxOutputBytes.max)
  maxOutputBytes?: number;
}

export class CreateSandboxDto {
  @ApiProperty({
    example: 'build-runner',
    minLength: 1,
    maxLength: 100,
    pattern: '^[\\p{L}\\p{N}][\\p{L}\\p{N} ._-]*$',
    description: 'Letters, digits, space, dot, underscore, hyphen; starts with a letter or digit',
  })
  @IsString()
  @MaxLength(100)
  @Matches(/^[\p{L}\p{N}][\p{L}\p{N} ._-]*$/u, { message: 'name must start with a letter or digit and contain only letters, digits, space, ".", "_" or "-"' })
  name: string;

  @ApiProperty({ enum: RUNTIMES, example: 'javascript' })
  @IsIn(RUNTIMES)
  runtime: SandboxRuntime;

  @ApiProperty({ enum: MODES, example: 'quick', description: 'quick: fresh state per exec; persistent: keeps state across execs' })
  @IsIn(MODES)
  mode: SandboxMode;

  @ApiPropertyOptional({ type: SandboxLimitsInputDto, description: 'Omitted fields take their defaults' })
  // May be omitted, never null: `@IsOptional` would let null through to the domain's defaults (a 500).
  @ValidateIf((_dto, value) => value !== undefined)
  @IsObject()
  @ValidateNested()
  @Type(() => SandboxLimitsInputDto)
  limits?: SandboxLimitsInputDto;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string', maxLength: 255 },
    maxProperties: 32,
    example: { team: 'payments', env: 'ci' },
    description: 'Up to 32 labels; keys 1-63 of [A-Za-z0-9._/-] starting and ending alphanumeric; values up to 255 characters',
  })
  @ValidateIf((_dto, value) => value !== undefined)
  @IsLabels()
  labels?: Record<string, string>;
}
