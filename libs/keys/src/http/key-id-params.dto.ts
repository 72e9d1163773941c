import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';

export class KeyIdParamsDto {
  @ApiProperty({ format: 'uuid', description: 'Key id', example: '0b6f7c1e-2a4d-4c1b-9f0e-5d8a3c2b1a90' })
  @IsUUID('all', { message: 'id must be a UUID' })
  id: string;
}
