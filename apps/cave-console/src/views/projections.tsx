import { useEffect, useState } from 'preact/hooks';
import { call, describe, get } from '../api';
import { Confirm, ErrorBox, time } from '../ui';

interface Projection {
  name: string;
  status: string;
  position: number;
  headPosition: number;
  lagEvents: number;
  leader: string | null;
  leaderAlive: boolean;
  rebuildable: boolean | null;
  failure: { message: string; globalPosition: number | null; eventType: string | null; at: string | null } | null;
  rebuild: { status: string; position: number | null; eventsProcessed: number; eventsPerSecond: number | null; etaSeconds: number | null; startedAt: string | null; finishedAt: string | null; error: string | null } | null;
}

type Action = { kind: 'rebuild' | 'retry' | 'skip'; p: Projection };

const ACTION_TEXT = {
  rebuild: (p: Projection) => `Rebuild ${p.name} from position 0 into shadow tables? The live tables keep serving until the swap.`,
  retry: (p: Projection) => `Retry the event ${p.name} stopped at (#${p.failure?.globalPosition})?`,
  skip: (p: Projection) => `Skip event #${p.failure?.globalPosition} (${p.failure?.eventType}) for ${p.name}? Its effect on the read model is lost; the skip is recorded as an event.`,
};

/** Share of the rebuild done: shadow position against the head it is chasing. */
export function rebuildPercent(p: Projection): number {
  if (!p.rebuild) return 0;
  if (p.rebuild.status === 'done') return 100;
  if (!p.headPosition) return 0;
  return Math.min(99, Math.floor(((p.rebuild.position ?? 0) / p.headPosition) * 100));
}

const eta = (s: number | null): string => (s === null ? 'estimating…' : s < 1 ? 'under a second' : s < 120 ? `${Math.round(s)} s` : `${Math.round(s / 60)} min`);

export function ProjectionsView() {
  const [items, setItems] = useState<Projection[]>([]);
  const [error, setError] = useState<string>();
  const [pending, setPending] = useState<Action>();
  const [tick, setTick] = useState(0);

  const busy = items.some((p) => p.rebuild && (p.rebuild.status === 'requested' || p.rebuild.status === 'running'));
  useEffect(() => {
    get<{ items: Projection[] }>('/api/v1/admin/projections').then((r) => setItems(r.items), (e) => setError(describe(e)));
    // Poll fast while a rebuild runs (for the progress bar), slowly otherwise (for lag).
    const t = setTimeout(() => setTick((n) => n + 1), busy ? 300 : 2000);
    return () => clearTimeout(t);
  }, [tick]);

  const run = async (a: Action) => {
    setError(undefined);
    try {
      const body = a.kind === 'skip' ? { globalPosition: a.p.failure?.globalPosition } : undefined;
      await call('POST', `/api/v1/admin/projections/${encodeURIComponent(a.p.name)}/${a.kind}`, { body });
      setTick((n) => n + 1);
    } catch (e) {
      setError(describe(e));
    }
  };

  return (
    <section aria-labelledby="projections-title">
      <h1 id="projections-title">Projections</h1>
      <ErrorBox error={error} />
      <table aria-label="Projections">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Status</th>
            <th scope="col">Position</th>
            <th scope="col">Head</th>
            <th scope="col">Lag</th>
            <th scope="col">Leader</th>
            <th scope="col">Rebuild</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {items.map((p) => (
            <tr key={p.name} data-projection={p.name}>
              <th scope="row">{p.name}</th>
              <td>
                <span class={`badge ${p.status}`}>{p.status}</span>
                {p.failure && (
                  <p class="error">
                    stopped at #{p.failure.globalPosition} ({p.failure.eventType}): {p.failure.message}
                  </p>
                )}
              </td>
              <td>{p.position}</td>
              <td>{p.headPosition}</td>
              <td>{p.lagEvents} events</td>
              <td>{p.leaderAlive ? 'alive' : 'none'}</td>
              <td>
                {p.rebuild ? (
                  <div class="rebuild">
                    <label for={`progress-${p.name}`}>
                      {p.rebuild.status} · {rebuildPercent(p)}%
                    </label>
                    <progress id={`progress-${p.name}`} max={100} value={rebuildPercent(p)} aria-label={`Rebuild progress of ${p.name}`} />
                    <span class="muted">
                      {p.rebuild.status === 'done'
                        ? `finished ${p.rebuild.finishedAt ? time(p.rebuild.finishedAt) : ''} · ${p.rebuild.eventsProcessed} events`
                        : `${p.rebuild.eventsProcessed} events · ${p.rebuild.eventsPerSecond ?? '–'}/s · ETA ${eta(p.rebuild.etaSeconds)}`}
                    </span>
                    {p.rebuild.error && <p class="error">{p.rebuild.error}</p>}
                  </div>
                ) : (
                  <span class="muted">never</span>
                )}
              </td>
              <td>
                <div class="actions">
                {p.rebuildable && (
                  <button type="button" onClick={() => setPending({ kind: 'rebuild', p })}>
                    Rebuild {p.name}
                  </button>
                )}
                {p.status === 'failed' && (
                  <>
                    <button type="button" onClick={() => setPending({ kind: 'retry', p })}>
                      Retry {p.name}
                    </button>
                    <button type="button" class="danger" onClick={() => setPending({ kind: 'skip', p })}>
                      Skip event
                    </button>
                  </>
                )}
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Confirm
        open={pending !== undefined}
        title={pending ? `${pending.kind[0].toUpperCase()}${pending.kind.slice(1)} ${pending.p.name}?` : ''}
        confirmLabel={pending ? `Yes, ${pending.kind}` : 'OK'}
        onClose={(ok) => {
          const a = pending;
          setPending(undefined);
          if (ok && a) void run(a);
        }}
      >
        <p>{pending && ACTION_TEXT[pending.kind](pending.p)}</p>
      </Confirm>
    </section>
  );
}
