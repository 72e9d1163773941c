import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateIf, ValidateNested } from 'class-validator';
import { LABEL_LIMITS } from '../domain/sandbox-labels';
import { LIMIT_BOUNDS } from '../domain/sandbox-limits';
import { MODES, NAME_RULE, RUNTIMES } from '../domain/sandbox-spec';
import type { SandboxMode, SandboxRuntime } from '../contracts/sandbox.events';
import { IsLabels } from './labels.validator';

const bounds = (b: { min: number; max: number; default: number }) => ({ minimum: b.min, maximum: b.max, default: b.default });

/*
 * The request as REST describes and checks it. Every bound and pattern comes from the domain (SandboxSpec,
 * LIMIT_BOUNDS, LABEL_LIMITS), which checks them again in `decide` for every edge.
 */

export class SandboxLimitsInputDto {
  @ApiPropertyOptional({ ...bounds(LIMIT_BOUNDS.memoryMb), example: 128 })
  @IsOptional()
  @IsInt()
  @Min(LIMIT_BOUNDS.memoryMb.min)
  @Max(LIMIT_BOUNDS.memoryMb.max)
  memoryMb?: number;

  @ApiPropertyOptional({ ...bounds(LIMIT_BOUNDS.timeoutMs), example: 10000 })
  @IsOptional()
  @IsInt()
  @Min(LIMIT_BOUNDS.timeoutMs.min)
  @Max(LIMIT_BOUNDS.timeoutMs.max)
  timeoutMs?: number;

  @ApiPropertyOptional({ ...bounds(LIMIT_BOUNDS.maxOutputBytes), example: 65536 })
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
    maxLength: NAME_RULE.maxLength,
    pattern: NAME_RULE.pattern.source,
    description: 'Letters, digits, space, dot, underscore, hyphen; starts with a letter or digit',
  })
  @IsString()
  @MaxLength(NAME_RULE.maxLength)
  @Matches(NAME_RULE.pattern, { message: NAME_RULE.message })
  name: string;

  @ApiProperty({ enum: [...RUNTIMES], example: 'javascript' })
  @IsIn([...RUNTIMES])
  runtime: SandboxRuntime;

  @ApiProperty({ enum: [...MODES], example: 'quick', description: 'quick: fresh state per exec; persistent: keeps state across execs' })
  @IsIn([...MODES])
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
    additionalProperties: { type: 'string', maxLength: LABEL_LIMITS.maxValueLength },
    maxProperties: LABEL_LIMITS.maxCount,
    example: { team: 'payments', env: 'ci' },
    description: 'Up to 32 labels; keys 1-63 of [A-Za-z0-9._/-] starting and ending alphanumeric; values up to 255 characters',
  })
  @ValidateIf((_dto, value) => value !== undefined)
  @IsLabels()
  labels?: Record<string, string>;
}
