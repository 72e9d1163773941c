import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** Documents the exec body; the domain parser (`parseExecRequest`) is what validates it. */
export class ExecRequestDto {
  @ApiPropertyOptional({ description: 'javascript: the script to run (required); wasi: not allowed', maxLength: 1048576, example: 'console.log(1 + 1)' })
  code?: string;

  @ApiPropertyOptional({ type: [String], maxItems: 256, description: 'wasi: argv after the program name' })
  args?: string[];

  @ApiPropertyOptional({ description: 'wasi: bytes on fd 0 (UTF-8)', maxLength: 1048576 })
  stdin?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, description: 'wasi: environment (at most 128 entries)' })
  env?: Record<string, string>;

  @ApiPropertyOptional({ minimum: 1, description: "Time limit of this exec; at most the sandbox's limits.timeoutMs (default)" })
  timeoutMs?: number;
}

export class ExecErrorDto {
  @ApiProperty({ enum: ['TIMEOUT', 'OOM', 'RUNTIME_ERROR'] })
  code: 'TIMEOUT' | 'OOM' | 'RUNTIME_ERROR';

  @ApiProperty()
  message: string;
}

export class ExecResultDto {
  @ApiProperty({ format: 'uuid', description: 'Also the `execId` of the live `exec_output` messages' })
  execId: string;

  @ApiProperty({ description: '0 ok; javascript 1 on an error; 124 TIMEOUT; 137 OOM; wasi: the exit code of the module' })
  exitCode: number;

  @ApiProperty({ description: 'Captured stdout, at most limits.maxOutputBytes together with stderr' })
  stdout: string;

  @ApiProperty()
  stderr: string;

  @ApiProperty({ description: 'True when output beyond limits.maxOutputBytes was dropped' })
  truncated: boolean;

  @ApiProperty()
  durationMs: number;

  @ApiPropertyOptional({ type: ExecErrorDto })
  error?: ExecErrorDto;
}

export class SnapshotDto {
  @ApiProperty({ format: 'uuid' })
  snapshotId: string;

  @ApiProperty({ format: 'uuid' })
  sandboxId: string;

  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'The snapshot this state descended from (null for a root)' })
  parentId: string | null;

  @ApiProperty({ description: 'SHA-256 of the compressed memory image (content address)' })
  sha256: string;

  @ApiProperty()
  sizeBytes: number;

  @ApiProperty({ example: '@jitl/quickjs-wasmfile-release-sync' })
  variant: string;

  @ApiProperty({ example: '0.32.0' })
  variantVersion: string;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: string;
}

export class SnapshotTreeDto {
  @ApiProperty({ type: [SnapshotDto], description: 'Oldest first; follow parentId for the tree' })
  items: SnapshotDto[];

  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'The snapshot the current state descends from' })
  head: string | null;
}

export class SnapshotRefDto {
  @ApiProperty({ format: 'uuid' })
  snapshotId: string;
}

export class RestoreResultDto {
  @ApiProperty({ format: 'uuid' })
  snapshotId: string;

  @ApiProperty({ description: 'Durable state version after the restore' })
  stateVersion: number;
}

export class ModuleDto {
  @ApiProperty()
  sha256: string;

  @ApiProperty()
  sizeBytes: number;
}

export class NamespacePolicyDto {
  @ApiPropertyOptional({ type: [String], enum: ['javascript', 'wasi'] })
  allowedRuntimes?: string[];

  @ApiPropertyOptional({ type: [String], enum: ['quick', 'persistent'] })
  allowedModes?: string[];

  @ApiPropertyOptional({ type: 'object', properties: { memoryMb: { type: 'integer' }, timeoutMs: { type: 'integer' }, maxOutputBytes: { type: 'integer' } } })
  maxLimits?: { memoryMb?: number; timeoutMs?: number; maxOutputBytes?: number };

  @ApiPropertyOptional({ type: Number, nullable: true })
  maxSandboxes?: number | null;

  @ApiPropertyOptional()
  maxConcurrentExecs?: number;

  @ApiPropertyOptional()
  maxModuleBytes?: number;
}

export class NamespacePolicyResultDto {
  @ApiProperty()
  namespace: string;

  @ApiProperty({ type: NamespacePolicyDto })
  policy: NamespacePolicyDto;

  @ApiProperty()
  version: number;
}
