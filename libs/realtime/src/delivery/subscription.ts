import { compareCursors, EventCursor } from '@cave/event-store';
import { ChannelSpec, channelMatches } from '../channels/channel';
import { DeliverableEvent, RealtimeEventPayload } from './realtime-event';

/**
 * One channel of one socket. Invariant: events reach the client in strictly increasing
 * commit-safe cursor order, each at most once (`deliver` drops anything at or behind the last
 * cursor sent). Before it is live, a subscription catches up from the table; meanwhile the tail's
 * live events are buffered in `pending`, and `goLive` hands over at the seam (see docs/adr/0008).
 */
export class Subscription {
  private last: EventCursor;
  private live: boolean;
  private pending?: DeliverableEvent[];
  private closed = false;

  constructor(
    readonly channel: string,
    readonly spec: ChannelSpec,
    start: EventCursor,
    live: boolean,
    private readonly emit: (payload: RealtimeEventPayload) => void,
  ) {
    this.last = start;
    this.live = live;
  }

  get cursor(): EventCursor {
    return this.last;
  }

  get isLive(): boolean {
    return this.live;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * An event from the shared tail. Returns true when the caller must send it to this subscription's
   * socket now (the hub batches those sends per channel, so a payload is encoded once, not once per
   * socket); while catching up the event is buffered instead.
   */
  accept(d: DeliverableEvent): boolean {
    if (this.closed || !channelMatches(this.spec, d.event)) return false;
    if (!this.live) {
      this.pending?.push(d);
      return false;
    }
    if (compareCursors(d.at, this.last) <= 0) return false;
    this.last = d.at;
    return true;
  }

  /** Same as accept, but sends itself (tests, single sockets). */
  offer(d: DeliverableEvent): void {
    if (this.accept(d)) this.emit({ channel: this.channel, ...d.body });
  }

  /** Starts a catch-up round: from here on, tail events are kept until `goLive`. */
  beginRound(): void {
    this.pending = [];
  }

  /** The client's resume point is ahead of what was delivered here (e.g. it came from another instance). */
  skipTo(cursor: EventCursor): void {
    if (compareCursors(cursor, this.last) > 0) this.last = cursor;
  }

  deliver(d: DeliverableEvent): void {
    if (this.closed || compareCursors(d.at, this.last) <= 0) return;
    this.last = d.at;
    this.emit({ channel: this.channel, ...d.body });
  }

  /** The history read of this round covered everything up to the tail position it started at. */
  goLive(): void {
    const buffered = this.pending ?? [];
    this.pending = undefined;
    this.live = true;
    for (const d of buffered) this.deliver(d);
  }

  close(): void {
    this.closed = true;
    this.pending = undefined;
  }
}
