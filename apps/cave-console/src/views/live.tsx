import { io, Socket } from 'socket.io-client';
import { useEffect, useRef, useState } from 'preact/hooks';
import { RecordedEvent, storedKey, Whoami } from '../api';
import { href } from '../router';
import { time } from '../ui';

type Ack = { ok: true; channel: string } | { ok: false; error: { code: string; message: string } };
type Status = 'connecting' | 'live' | 'lost' | 'resumed' | 'revoked' | 'refused';
const KEEP = 200;

const STATUS_TEXT: Record<Status, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  lost: 'Connection lost: reconnecting…',
  resumed: 'Connection resumed',
  revoked: 'Your key was revoked: live tail stopped',
  refused: 'Live tail refused',
};

/**
 * New events as they commit, over /realtime. After a reconnect it subscribes again from the last cursor it
 * showed, so nothing is missed or shown twice; while paused, arrivals are held and shown on resume.
 */
export function LiveView({ who }: { who: Whoami }) {
  const channel = who.role === 'admin' ? 'all' : 'namespace';
  const [events, setEvents] = useState<RecordedEvent[]>([]);
  const [held, setHeld] = useState<RecordedEvent[]>([]);
  const [paused, setPaused] = useState(false);
  const [status, setStatus] = useState<Status>('connecting');
  const [detail, setDetail] = useState('');
  const pausedRef = useRef(false);
  const lastCursor = useRef<string>();

  useEffect(() => {
    let closed = false;
    let wasConnected = false;
    const socket: Socket = io('/realtime', { auth: { token: storedKey() }, transports: ['websocket'], reconnectionDelayMax: 2000 });
    const subscribe = async () => {
      const body = lastCursor.current ? { channel, cursor: lastCursor.current } : { channel };
      const ack = (await socket.timeout(10_000).emitWithAck('subscribe', body)) as Ack;
      if (!ack.ok) {
        setStatus('refused');
        setDetail(`${ack.error.code}: ${ack.error.message}`);
        return;
      }
      setStatus(wasConnected ? 'resumed' : 'live');
      setDetail(wasConnected && lastCursor.current ? `resumed after cursor ${lastCursor.current}` : `subscribed to ${channel}`);
      wasConnected = true;
    };
    socket.on('connect', () => void subscribe().catch((e: Error) => setDetail(e.message)));
    socket.on('event', (e: RecordedEvent) => {
      lastCursor.current = e.cursor;
      if (pausedRef.current) setHeld((h) => [...h, e].slice(-KEEP));
      else setEvents((list) => [e, ...list].slice(0, KEEP));
    });
    socket.on('disconnect', (reason) => {
      if (closed) return;
      setStatus('lost');
      setDetail(reason);
      // A server-side disconnect is not retried by socket.io itself; a restarted daemon is.
      if (reason === 'io server disconnect') setTimeout(() => !closed && socket.connect(), 1000);
    });
    socket.on('connect_error', (e: Error & { data?: { code?: string } }) => {
      setStatus(wasConnected ? 'lost' : 'connecting');
      setDetail(e.data?.code ?? e.message);
    });
    socket.on('revoked', () => {
      closed = true;
      setStatus('revoked');
    });
    return () => {
      closed = true;
      socket.close();
    };
  }, [channel]);

  const togglePause = () => {
    pausedRef.current = !paused;
    if (paused) {
      setEvents((list) => [...[...held].reverse(), ...list].slice(0, KEEP));
      setHeld([]);
    }
    setPaused(!paused);
  };

  return (
    <section aria-labelledby="live-title">
      <h1 id="live-title">Live tail</h1>
      <p class={`status ${status}`} role="status" aria-live="polite" data-status={status}>
        <strong>{STATUS_TEXT[status]}</strong> <span class="muted">{detail}</span>
      </p>
      <div class="pager">
        <button type="button" onClick={togglePause} aria-pressed={paused}>
          {paused ? `Resume (${held.length} held)` : 'Pause'}
        </button>
        <button type="button" onClick={() => setEvents([])}>
          Clear
        </button>
      </div>
      <table aria-label="Live events">
        <thead>
          <tr>
            <th scope="col">Position</th>
            <th scope="col">Recorded</th>
            <th scope="col">Namespace</th>
            <th scope="col">Stream</th>
            <th scope="col">Type</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <tr key={e.eventId}>
              <td>{e.globalPosition}</td>
              <td>{time(e.recordedAt)}</td>
              <td>{e.namespace}</td>
              <td>
                <a href={href('streams', e.streamId)}>{e.streamId}</a>
              </td>
              <td>{e.type}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {events.length === 0 && <p class="muted">Waiting for events…</p>}
    </section>
  );
}
