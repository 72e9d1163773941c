import { compareCursors, EventCursor } from '@cave/event-store';
import { compareLsn } from './lsn';

interface PendingCommit {
  /** End LSN of the transaction's commit record. */
  lsn: string;
  /** Largest commit-safe cursor among the transaction's events. */
  cursor: EventCursor;
}

/**
 * Decides which LSN the slot may confirm. Transactions arrive in commit (LSN) order, but the
 * tail delivers in commit-safe cursor order (ADR 0002), so a later commit can be delivered before
 * an earlier one. Confirming LSN L promises the server we never need any commit at or before L
 * again, so L is released only when every commit up to L has been delivered: a queue in LSN
 * order, popped from the front while the front's events are behind the delivered cursor.
 */
export class AckTracker {
  private readonly pending: PendingCommit[] = [];
  private lastConfirmed?: string;
  /** Latest server WAL end seen in a keepalive while nothing was pending. */
  private idleLsn?: string;

  /** A commit containing events was received; it must be delivered before `lsn` is confirmed. */
  received(lsn: string, cursor: EventCursor): void {
    this.pending.push({ lsn, cursor });
    this.idleLsn = undefined;
  }

  /** The tail delivered everything up to `cursor`. Returns an LSN to confirm, if one became safe. */
  delivered(cursor: EventCursor): string | undefined {
    let confirm: string | undefined;
    while (this.pending.length > 0 && compareCursors(this.pending[0].cursor, cursor) <= 0) {
      confirm = this.pending.shift()!.lsn;
    }
    if (confirm !== undefined) this.lastConfirmed = this.max(this.lastConfirmed, confirm);
    return confirm;
  }

  /**
   * A keepalive from the server (`walEnd`): the LSN to reply with. With nothing pending, every
   * change before walEnd was already delivered (the stream is ordered), so walEnd is safe and lets
   * the server recycle WAL of unrelated databases; otherwise repeat the last safe LSN.
   */
  keepalive(walEnd: string): string | undefined {
    if (this.pending.length === 0) {
      this.idleLsn = walEnd;
      this.lastConfirmed = this.max(this.lastConfirmed, walEnd);
    }
    return this.lastConfirmed;
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  get confirmed(): string | undefined {
    return this.lastConfirmed ?? this.idleLsn;
  }

  /** After a reconnect the server resends everything after its confirmed LSN. */
  reset(): void {
    this.pending.length = 0;
    this.idleLsn = undefined;
  }

  private max(a: string | undefined, b: string): string {
    return a === undefined || compareLsn(b, a) > 0 ? b : a;
  }
}
