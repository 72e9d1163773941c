/** What a command produces: a fact with a stable past-tense type and a versioned payload. */
export interface NewEvent<D = unknown> {
  type: string;
  data: D;
  schemaVersion?: number;
  /** Client-chosen id; generated when absent. */
  eventId?: string;
  metadata?: Record<string, unknown>;
}

/** A committed event as read back from the store (after upcasting). */
export interface RecordedEvent<D = unknown> {
  globalPosition: number;
  transactionId: string;
  eventId: string;
  namespace: string;
  streamType: string;
  streamId: string;
  streamVersion: number;
  type: string;
  schemaVersion: number;
  data: D;
  metadata: EventMetadata;
  recordedAt: Date;
  /** Opaque resume token: reading `after` it continues exactly behind this event. */
  cursor: string;
}

export interface EventMetadata {
  actor?: string;
  correlationId?: string;
  causationId?: string;
  idempotencyKey?: string;
  /** The edge the command came in through: `http`, `mcp`, `system`. */
  channel?: string;
  [key: string]: unknown;
}

/** `no_stream`: the stream must not exist; `any`: no check; a number: the stream's current version. */
export type ExpectedVersion = 'no_stream' | 'any' | number;

export interface AppendResult {
  streamId: string;
  /** Version of the stream after this append; use it as the next expected version. */
  nextExpectedVersion: number;
  globalPositions: number[];
  /** Cursor of the last appended event. */
  cursor: string;
  /** When the (last) event was recorded: the appending transaction's start time. */
  recordedAt: Date;
  /** True when an earlier append with the same idempotency key already wrote these events. */
  replayed: boolean;
  /** The row returned by the append's inline projection, when one was given and it wrote a row. */
  projected?: Record<string, unknown>;
}
