import { Inject, Logger, Optional } from '@nestjs/common';
import { OnGatewayConnection, OnGatewayDisconnect, OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import type { Principal } from '@cave/kernel';
import type { IncomingMessage } from 'node:http';
import type { Namespace, Socket } from 'socket.io';
import { RealtimeHub } from '../delivery/realtime-hub';
import { REALTIME_OPTIONS, RealtimeOptions } from '../realtime.options';
import { REALTIME_AUTHENTICATOR, RealtimeAuthenticator } from './realtime-authenticator';
import { toAckError } from './socket-error.mapper';

type Ack = (reply: unknown) => void;
interface SocketData {
  principal: Principal;
  token: string;
}

/** Default of `RealtimeOptions.maxConnectionsPerAddress` (CAVE_REALTIME_MAX_CONNECTIONS_PER_ADDRESS). */
export const DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 256;

/**
 * Only `/realtime` is served. Socket.IO also answers its default namespace `/`, where no middleware would
 * authenticate anyone: connections there are refused. Each remote address may hold a bounded number of
 * Engine.IO connections, and a connection that joins no namespace is dropped after 10 s (Socket.IO's
 * `connectTimeout`, 45 s by default).
 */
function guardServer(ns: Namespace, maxPerAddress: number): void {
  const io = ns.server;
  io.of('/').use((_socket, next) => next(Object.assign(new Error('unknown namespace: connect to /realtime'), { data: { code: 'NOT_FOUND' } })));
  const open = new Map<string, number>();
  const engine = io.engine as unknown as {
    opts: { allowRequest?: (req: IncomingMessage, fn: (err: string | null | undefined, ok: boolean) => void) => void };
    on(event: 'connection', fn: (socket: { request: IncomingMessage; on(e: 'close', fn: () => void): void }) => void): void;
  };
  const addressOf = (req: IncomingMessage) => req.socket.remoteAddress ?? 'unknown';
  engine.opts.allowRequest = (req, fn) => {
    // Only a handshake (no session id yet) opens a connection; polls and upgrades of an open one pass.
    const handshake = !new URL(req.url ?? '/', 'http://x').searchParams.has('sid');
    const refused = handshake && maxPerAddress > 0 && (open.get(addressOf(req)) ?? 0) >= maxPerAddress;
    fn(refused ? 'too many connections from this address' : null, !refused);
  };
  engine.on('connection', (socket) => {
    const address = addressOf(socket.request);
    open.set(address, (open.get(address) ?? 0) + 1);
    socket.on('close', () => {
      const n = (open.get(address) ?? 1) - 1;
      if (n > 0) open.set(address, n);
      else open.delete(address);
    });
  });
  io.connectTimeout(10_000);
}

/**
 * `/realtime`: API key in the handshake (`auth: {token}`), checked by a namespace middleware on
 * every connection and reconnection (Nest guards do not run on connect). Clients `subscribe` and
 * `unsubscribe` with an ack; the hub emits `event`.
 */
@WebSocketGateway({ namespace: '/realtime', serveClient: false })
export class RealtimeGateway implements OnGatewayInit<Namespace>, OnGatewayConnection<Socket>, OnGatewayDisconnect<Socket> {
  private readonly logger = new Logger('Realtime');

  constructor(
    private readonly hub: RealtimeHub,
    @Optional() @Inject(REALTIME_AUTHENTICATOR) private readonly authenticator?: RealtimeAuthenticator,
    @Optional() @Inject(REALTIME_OPTIONS) private readonly options?: RealtimeOptions,
  ) {}

  afterInit(ns: Namespace): void {
    guardServer(ns, this.options?.maxConnectionsPerAddress ?? DEFAULT_MAX_CONNECTIONS_PER_ADDRESS);
    // Every socket is in the room named by its id: one encode per (event, channel), written to each socket.
    this.hub.useBroadcast((ids, payload) => ns.to(ids).emit('event', payload));
    ns.use((socket, next) => {
      void this.authenticate(socket).then(
        () => next(),
        (e: Error & { data?: unknown }) => next(e),
      );
    });
  }

  handleConnection(socket: Socket): void {
    const data = socket.data as SocketData;
    if (!data.principal) {
      socket.disconnect(true);
      return;
    }
    this.hub.attach({
      id: socket.id,
      principal: data.principal,
      token: data.token,
      send: (payload) => socket.emit('event', payload),
      emit: (name, payload) => socket.emit(name, payload),
      fail: (channel, error) => socket.emit('subscription_error', { channel, error }),
      revoke: () => {
        socket.emit('revoked', { code: 'UNAUTHORIZED', message: 'the API key of this connection is no longer valid' });
        socket.disconnect(true);
      },
    });
    socket.on('subscribe', (body: unknown, ack?: Ack) => void this.subscribe(socket, body, ack));
    socket.on('unsubscribe', (body: unknown, ack?: Ack) => this.unsubscribe(socket, body, ack));
  }

  handleDisconnect(socket: Socket): void {
    this.hub.detach(socket.id);
  }

  private async authenticate(socket: Socket): Promise<void> {
    const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    if (typeof token !== 'string' || token.length === 0 || token.length > 512) throw connectError('UNAUTHORIZED', 'missing or malformed API key');
    if (!this.authenticator) throw connectError('UNAVAILABLE', 'authentication is not configured');
    let principal: Principal | undefined;
    try {
      principal = await this.authenticator.authenticate(token);
    } catch (e) {
      this.logger.error({ err: e }, 'realtime handshake: authenticator failed');
      throw connectError('UNAVAILABLE', 'authentication is temporarily unavailable');
    }
    if (!principal) throw connectError('UNAUTHORIZED', 'invalid or revoked API key');
    const data = socket.data as SocketData;
    data.principal = principal;
    data.token = token;
  }

  private async subscribe(socket: Socket, body: unknown, ack?: Ack): Promise<void> {
    try {
      const { channel, start } = await this.hub.subscribe(socket.id, body);
      ack?.({ ok: true, channel });
      start();
    } catch (e) {
      this.reject(e, ack);
    }
  }

  private unsubscribe(socket: Socket, body: unknown, ack?: Ack): void {
    try {
      ack?.({ ok: true, channel: this.hub.unsubscribe(socket.id, body) });
    } catch (e) {
      this.reject(e, ack);
    }
  }

  private reject(e: unknown, ack?: Ack): void {
    const { known, error } = toAckError(e);
    if (!known) this.logger.error({ err: e }, 'realtime request failed');
    ack?.({ ok: false, error });
  }
}

function connectError(code: string, message: string): Error & { data: { code: string } } {
  return Object.assign(new Error(message), { data: { code } });
}
