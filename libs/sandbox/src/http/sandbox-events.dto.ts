import { ApiProperty } from '@nestjs/swagger';
import { RecordedEventDto } from '@cave/http';

export class SandboxEventPageDto {
  @ApiProperty({ type: [RecordedEventDto] }) items: RecordedEventDto[];
  @ApiProperty({ type: String, nullable: true, example: '100', description: 'Pass as `after` for the next page; null on the last page' })
  nextCursor: string | null;
}
