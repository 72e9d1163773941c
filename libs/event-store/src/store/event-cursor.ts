/**
 * Position in the commit-safe global order (transaction_id, global_position); see docs/adr/0002.
 * Serialised as "<xid>:<position>" and treated as opaque by clients.
 */
export interface EventCursor {
  transactionId: bigint;
  globalPosition: bigint;
}

export const START: EventCursor = { transactionId: 0n, globalPosition: 0n };

export function encodeCursor(c: EventCursor): string {
  return `${c.transactionId}:${c.globalPosition}`;
}

export class InvalidCursorError extends Error {
  readonly code = 'EVENT_STORE.INVALID_CURSOR';
  constructor(raw: string) {
    super(`invalid cursor ${JSON.stringify(raw.slice(0, 60))}`);
    this.name = 'InvalidCursorError';
  }
}

export function decodeCursor(raw: string): EventCursor {
  const m = /^(\d{1,20}):(\d{1,19})$/.exec(raw);
  if (!m) throw new InvalidCursorError(raw);
  return { transactionId: BigInt(m[1]), globalPosition: BigInt(m[2]) };
}

export function compareCursors(a: EventCursor, b: EventCursor): number {
  if (a.transactionId !== b.transactionId) return a.transactionId < b.transactionId ? -1 : 1;
  if (a.globalPosition !== b.globalPosition) return a.globalPosition < b.globalPosition ? -1 : 1;
  return 0;
}
