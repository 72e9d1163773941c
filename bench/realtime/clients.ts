/**
 * Child process of the realtime benchmark: N socket.io clients measuring, for every event, the time
 * from the writer's append call (data.t, epoch ms from performance.timeOrigin) to arrival here.
 * Runs apart from the server so client work does not steal the server's event loop.
 */
import { performance } from 'node:perf_hooks';
import { io, Socket } from 'socket.io-client';

interface Start {
  url: string;
  clients: number;
  token?: string;
  channel?: string;
}

const now = () => performance.timeOrigin + performance.now();
const sockets: Socket[] = [];
const samples: number[] = [];
let measureFrom = Infinity;

process.on('message', (msg: { type: string } & Partial<Start> & { from?: number }) => {
  if (msg.type === 'start') void start(msg as Start);
  if (msg.type === 'measure') measureFrom = msg.from!;
  if (msg.type === 'count') process.send!({ type: 'count', count: samples.length });
  if (msg.type === 'stop') {
    for (const s of sockets) s.close();
    process.send!({ type: 'samples', samples });
  }
});

async function start(opts: Start): Promise<void> {
  await Promise.all(
    Array.from({ length: opts.clients }, async () => {
      const s = io(opts.url, { transports: ['websocket'], auth: opts.token ? { token: opts.token } : {}, reconnection: false, forceNew: true });
      sockets.push(s);
      s.on('event', (e: { data: unknown }) => {
        const data = (typeof e.data === 'string' ? JSON.parse(e.data) : e.data) as { t?: number };
        if (typeof data?.t === 'number' && data.t >= measureFrom) samples.push(now() - data.t);
      });
      await new Promise<void>((resolve, reject) => {
        s.once('connect', () => resolve());
        s.once('connect_error', reject);
      });
      if (opts.channel) {
        const ack = (await s.timeout(10_000).emitWithAck('subscribe', { channel: opts.channel })) as { ok: boolean };
        if (!ack.ok) throw new Error(`subscribe failed: ${JSON.stringify(ack)}`);
      }
    }),
  );
  process.send!({ type: 'ready' });
}
