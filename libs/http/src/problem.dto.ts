import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class FieldErrorDto {
  @ApiProperty({ example: 'limits.memoryMb' }) field: string;
  @ApiProperty({ example: 'memoryMb must not be greater than 1024' }) message: string;
}

/** RFC 9457 problem details, the body of every error response. */
export class ProblemDto {
  @ApiProperty({ example: 'https://cave.dev/problems/sandbox.invalid_transition' }) type: string;
  @ApiProperty({ example: 'Conflict' }) title: string;
  @ApiProperty({ example: 409 }) status: number;
  @ApiProperty({ example: 'sandbox is stopped; cannot stop it' }) detail: string;
  @ApiProperty({ example: 'SANDBOX.INVALID_TRANSITION', description: 'Stable machine-readable code' }) code: string;
  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'Per-field problems (validation only)' }) errors?: FieldErrorDto[];
}
