import { ApiProperty } from '@nestjs/swagger';
import { toEventView, type RecordedEvent } from '@cave/event-store';

/** One stored event as the API shows it (sandbox history, admin history). */
export class RecordedEventDto {
  @ApiProperty({ example: 1042, description: 'Identity of the event in the global log' }) globalPosition: number;
  @ApiProperty({ format: 'uuid', example: '3f7e9a0c-5d1b-4e8a-9c2f-6b4d8e0a1c3e' }) eventId: string;
  @ApiProperty({ example: 'team-a' }) namespace: string;
  @ApiProperty({ example: 'sandbox' }) streamType: string;
  @ApiProperty({ example: 'sandbox-0b8f1f4e-8d7e-4d8c-9d1c-2c3f4a5b6c7d' }) streamId: string;
  @ApiProperty({ example: 2 }) streamVersion: number;
  @ApiProperty({ example: 'sandbox_started' }) type: string;
  @ApiProperty({ example: 1 }) schemaVersion: number;
  @ApiProperty({ type: 'object', additionalProperties: true, example: { sandboxId: '0b8f1f4e-8d7e-4d8c-9d1c-2c3f4a5b6c7d' } })
  data: unknown;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { actor: 'key_2d1c7f0e', correlationId: '9b2e4c1a-7f3d-4e5b-8a6c-0d1e2f3a4b5c' },
    description: 'actor (API key id), correlationId (request id), idempotencyKey when given',
  })
  metadata: Record<string, unknown>;
  @ApiProperty({ type: String, format: 'date-time' }) recordedAt: string;
  @ApiProperty({ example: '1893:1042', description: 'Opaque resume token: pass as `after` to continue behind this event' })
  cursor: string;
}

export function toRecordedEventDto(e: RecordedEvent): RecordedEventDto {
  return toEventView(e, 'client');
}
