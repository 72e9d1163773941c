import { Database, decodeCursor, encodeCursor, EventStore, ReadAllOptions, RecordedEvent, START } from '@cave/event-store';
import type { Principal } from '@cave/kernel';
import { ChannelSpec, channelMetricLabel, resolveChannel } from '../channels/channel';
import { invalidRequest, notSubscribed, streamNotFound, tooManySubscriptions } from '../channels/realtime.errors';
import { RealtimeAuthenticator } from '../gateway/realtime-authenticator';
import { RealtimeMetrics } from '../realtime.metrics';
import { EventTail } from './event-tail';
import { DeliverableEvent, RealtimeEventPayload, toDeliverable } from './realtime-event';
import { parseSubscribeRequest, parseUnsubscribeRequest } from './subscribe-request';
import { Subscription } from './subscription';

/** A socket as the hub sees it (the gateway adapts Socket.IO to this). */
export interface RealtimeConnection {
  id: string;
  principal: Principal;
  /** Kept in memory only, to re-check the key after key events; never logged. */
  token: string;
  send(payload: RealtimeEventPayload): void;
  revoke(): void;
  /** A subscription ended on the server side (e.g. its history read failed); the client resubscribes with its cursor. */
  fail(channel: string, error: { code: string; message: string }): void;
}

interface ConnectionState {
  conn: RealtimeConnection;
  subs: Map<string, Subscription>;
}

export const MAX_SUBSCRIPTIONS = 100;
const CATCH_UP_BATCH = 500;

export interface HubLog {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/**
 * Routes the tail's events to subscriptions and runs each subscription's catch-up from the table.
 * Member history reads run as `cave_app` under RLS (`scope`), so a channel can never read
 * another namespace even if matching had a bug.
 */
export class RealtimeHub {
  private readonly connections = new Map<string, ConnectionState>();
  /** Sends one payload to several sockets, encoding it once (the gateway plugs in Socket.IO's broadcast). */
  private broadcast: (ids: string[], payload: RealtimeEventPayload) => void = (ids, p) => {
    for (const id of ids) this.connections.get(id)?.conn.send(p);
  };

  constructor(
    private readonly db: Database,
    private readonly store: EventStore,
    private readonly tail: EventTail,
    private readonly metrics: RealtimeMetrics,
    private readonly authenticator: RealtimeAuthenticator,
    private readonly log: HubLog,
  ) {
    tail.onBatch((events) => this.dispatch(events));
  }

  useBroadcast(fn: (ids: string[], payload: RealtimeEventPayload) => void): void {
    this.broadcast = fn;
  }

  attach(conn: RealtimeConnection): void {
    this.connections.set(conn.id, { conn, subs: new Map() });
    this.metrics.sockets.set(this.connections.size);
  }

  detach(id: string): void {
    const state = this.connections.get(id);
    if (!state) return;
    for (const s of state.subs.values()) this.dropSubscription(s);
    this.connections.delete(id);
    this.metrics.sockets.set(this.connections.size);
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /**
   * Validates and registers a subscription. Returns `start`, which the gateway calls after it
   * acknowledged, so the client sees `{ok: true}` before the first replayed event.
   */
  async subscribe(id: string, body: unknown): Promise<{ channel: string; start: () => void }> {
    const state = this.connections.get(id);
    if (!state) throw invalidRequest('connection closed');
    const req = parseSubscribeRequest(body);
    const spec = resolveChannel(req.channel, state.conn.principal);
    if (spec.kind === 'stream') await this.assertStreamVisible(spec.streamId, state.conn.principal);
    if (!state.subs.has(req.channel) && state.subs.size >= MAX_SUBSCRIPTIONS) throw tooManySubscriptions(MAX_SUBSCRIPTIONS);

    const history = req.fromPosition !== undefined || req.cursor !== undefined;
    const start = history ? (req.cursor ?? START) : this.tail.cursor;
    const sub = new Subscription(req.channel, spec, start, !history, (p) => {
      state.conn.send(p);
      this.metrics.delivered.inc();
    });
    const previous = state.subs.get(req.channel);
    if (previous) this.dropSubscription(previous);
    state.subs.set(req.channel, sub);
    this.countSubscriber(spec, +1);
    if (history) sub.beginRound();
    const after = req.cursor ? encodeCursor(req.cursor) : req.fromPosition;
    return {
      channel: req.channel,
      start: () => {
        if (history) void this.catchUp(sub, state.conn.principal, after ?? 0);
      },
    };
  }

  unsubscribe(id: string, body: unknown): string {
    const channel = parseUnsubscribeRequest(body);
    const state = this.connections.get(id);
    const sub = state?.subs.get(channel);
    if (!state || !sub) throw notSubscribed();
    state.subs.delete(channel);
    this.dropSubscription(sub);
    return channel;
  }

  /**
   * History first, then live, with no gap and no duplicate (proof in docs/adr/0008): each round
   * notes the tail position t0 and buffers tail events after t0; a history read that returns less
   * than a full batch has seen every matching event up to t0 (its snapshot is younger than the
   * tail read that produced t0), so history + buffer + later tail events cover everything, and
   * `deliver` drops what both sides carried.
   */
  private async catchUp(sub: Subscription, principal: Principal, initialAfter: string | number): Promise<void> {
    let after: string | number = initialAfter;
    try {
      for (;;) {
        if (sub.isClosed) return;
        sub.beginRound();
        const res = await this.store.readAll({ after, limit: CATCH_UP_BATCH, ...this.readScope(sub.spec, principal) });
        for (const e of res.events) sub.deliver(toDeliverable(e));
        after = res.cursor;
        if (res.events.length < CATCH_UP_BATCH) {
          sub.skipTo(decodeCursor(res.cursor));
          sub.goLive();
          return;
        }
      }
    } catch (e) {
      this.log.error({ err: e, channel: sub.channel }, 'realtime catch-up failed; the client must resubscribe with its last cursor');
      for (const state of this.connections.values()) {
        if (state.subs.get(sub.channel) !== sub) continue;
        state.subs.delete(sub.channel);
        this.dropSubscription(sub);
        state.conn.fail(sub.channel, { code: 'REALTIME.UNAVAILABLE', message: 'history could not be read; subscribe again with your last cursor' });
      }
    }
  }

  private readScope(spec: ChannelSpec, principal: Principal): Pick<ReadAllOptions, 'filter' | 'scope'> {
    const scope = principal.role === 'admin' ? undefined : principal.namespace;
    switch (spec.kind) {
      case 'all':
        return { scope };
      case 'namespace':
        return { scope, filter: { namespace: spec.namespace } };
      case 'stream':
        return { scope, filter: { streamId: spec.streamId, ...(spec.namespace !== undefined && { namespace: spec.namespace }) } };
      case 'type':
        return { scope, filter: { streamType: spec.streamType, namespace: spec.namespace } };
    }
  }

  /** Under RLS for members: another namespace's stream is indistinguishable from a missing one. */
  private async assertStreamVisible(streamId: string, principal: Principal): Promise<void> {
    const probe = async (c: { query: Database['admin']['query'] }) =>
      (await c.query<{ ok: boolean }>('select exists(select 1 from events where stream_id = $1) as ok', [streamId])).rows[0].ok;
    const visible = principal.role === 'admin' ? await this.db.asAdmin(probe) : await this.db.tenant(principal.namespace, probe);
    if (!visible) throw streamNotFound();
  }

  private dropSubscription(sub: Subscription): void {
    sub.close();
    this.countSubscriber(sub.spec, -1);
  }

  /** Subscribers per label set; a series that reaches zero is removed, so /metrics holds only live channels. */
  private readonly subscriberCounts = new Map<string, number>();

  private countSubscriber(spec: ChannelSpec, delta: 1 | -1): void {
    const labels = channelMetricLabel(spec);
    const key = `${labels.namespace}\0${labels.channel}`;
    const n = (this.subscriberCounts.get(key) ?? 0) + delta;
    if (n > 0) {
      this.subscriberCounts.set(key, n);
      this.metrics.subscribers.set(labels, n);
    } else {
      this.subscriberCounts.delete(key);
      this.metrics.subscribers.remove(labels);
    }
  }

  private dispatch(events: RecordedEvent[]): void {
    const started = process.hrtime.bigint();
    const ready: DeliverableEvent[] = events.map(toDeliverable);
    for (const d of ready) {
      const groups = new Map<string, string[]>();
      for (const state of this.connections.values()) {
        for (const sub of state.subs.values()) {
          if (!sub.accept(d)) continue;
          const ids = groups.get(sub.channel);
          if (ids) ids.push(state.conn.id);
          else groups.set(sub.channel, [state.conn.id]);
        }
      }
      for (const [channel, ids] of groups) {
        this.broadcast(ids, { channel, ...d.body });
        this.metrics.delivered.inc(ids.length);
      }
    }
    this.metrics.deliveryLatency.observe(Number(process.hrtime.bigint() - started) / 1e9);
    const invalidated = events.map((e) => this.authenticator.invalidatedKeys?.(e)).filter((ids) => ids !== undefined);
    if (invalidated.length > 0) void this.recheckKeys(new Set(invalidated.flat()));
  }

  /** After a key event every open socket proves its key again; revoked ones are disconnected. */
  private async recheckKeys(named: ReadonlySet<string>): Promise<void> {
    await Promise.all(
      [...this.connections.values()].map(async ({ conn }) => {
        try {
          const still = named.has(conn.principal.keyId) ? undefined : await this.authenticator.authenticate(conn.token);
          if (!still || still.keyId !== conn.principal.keyId) conn.revoke();
        } catch (e) {
          this.log.warn({ err: e, connection: conn.id }, 'key re-check failed; keeping the socket until the next key event');
        }
      }),
    );
  }
}
