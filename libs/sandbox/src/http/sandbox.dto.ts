import { ApiProperty } from '@nestjs/swagger';
import type { SandboxStatus } from '../domain/sandbox.lifecycle';
import type { SandboxMode, SandboxRuntime } from '../contracts/sandbox.events';
import { SANDBOX_STATUSES } from '../domain/sandbox.lifecycle';
import { MODES, RUNTIMES } from '../domain/sandbox-spec';

export const STATES: SandboxStatus[] = [...SANDBOX_STATUSES];

export class SandboxLimitsDto {
  @ApiProperty({ example: 64 }) memoryMb: number;
  @ApiProperty({ example: 5000 }) timeoutMs: number;
  @ApiProperty({ example: 65536 }) maxOutputBytes: number;
}

export class SandboxDto {
  @ApiProperty({ format: 'uuid', example: '0b8f1f4e-8d7e-4d8c-9d1c-2c3f4a5b6c7d' }) id: string;
  @ApiProperty({ example: 'team-a' }) namespace: string;
  @ApiProperty({ example: 'build-runner' }) name: string;
  @ApiProperty({ enum: [...RUNTIMES], example: 'javascript' }) runtime: SandboxRuntime;
  @ApiProperty({ enum: [...MODES], example: 'quick' }) mode: SandboxMode;
  @ApiProperty({ enum: STATES, example: 'running' }) state: SandboxStatus;
  @ApiProperty({ type: SandboxLimitsDto }) limits: SandboxLimitsDto;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, example: { team: 'payments' } }) labels: Record<string, string>;
  @ApiProperty({ example: 2, description: 'Stream version; also the ETag' }) version: number;
  @ApiProperty({ type: String, nullable: true, example: 'key_2d1c7f0e', description: 'Id of the API key that created it' }) createdBy: string | null;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time' }) updatedAt: string;
}

export class SandboxPageDto {
  @ApiProperty({ type: [SandboxDto] }) items: SandboxDto[];
  @ApiProperty({ type: String, nullable: true, example: 'djE6MTA0Mg', description: 'Pass as `cursor` for the next page; null on the last page' })
  nextCursor: string | null;
}
