import { useEffect, useState } from 'preact/hooks';
import { describe, EventPage, get, query, RecordedEvent, Whoami } from '../api';
import { href } from '../router';
import { ErrorBox, Json, time } from '../ui';

export interface EventFilters {
  namespace?: string;
  streamId?: string;
  type?: string;
  actor?: string;
  from?: string;
  to?: string;
  correlationId?: string;
  causationId?: string;
  eventId?: string;
}

const PAGE = 50;
const LINK_FILTERS: (keyof EventFilters)[] = ['correlationId', 'causationId', 'eventId'];

/** `datetime-local` has no zone: read it as local time and send an ISO instant. */
const toIso = (local?: string): string | undefined => (local ? new Date(local).toISOString() : undefined);

/** The global log (admin) or the key's namespace log (member), cursor-paged, with filters. */
export function EventsView({ who }: { who: Whoami }) {
  const admin = who.role === 'admin';
  const [draft, setDraft] = useState<EventFilters>({});
  const [filters, setFilters] = useState<EventFilters>({});
  // Cursors of the pages before the current one: "Previous" pops, "Next" pushes.
  const [cursors, setCursors] = useState<string[]>([]);
  const [page, setPage] = useState<EventPage>();
  const [selected, setSelected] = useState<RecordedEvent>();
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(false);

  const after = cursors[cursors.length - 1];
  useEffect(() => {
    setLoading(true);
    setError(undefined);
    const base = admin ? '/api/v1/admin/events' : '/api/v1/events';
    const { from, to, namespace, ...rest } = filters;
    get<EventPage>(base + query({ ...rest, ...(admin && { namespace }), from: toIso(from), to: toIso(to), after, limit: PAGE }))
      .then(setPage)
      .catch((e) => setError(describe(e)))
      .finally(() => setLoading(false));
  }, [filters, after, admin]);

  const apply = (next: EventFilters) => {
    setFilters(next);
    setCursors([]);
    setSelected(undefined);
  };
  const field = (name: keyof EventFilters, label: string, type = 'text') => (
    <div class="field">
      <label for={`f-${name}`}>{label}</label>
      <input id={`f-${name}`} type={type} value={draft[name] ?? ''} onInput={(e) => setDraft({ ...draft, [name]: e.currentTarget.value || undefined })} />
    </div>
  );

  return (
    <section aria-labelledby="events-title">
      <h1 id="events-title">Events</h1>
      <p class="hint">{admin ? 'The global log across every namespace, in commit-safe order.' : `The log of namespace ${who.namespace}, in commit-safe order.`}</p>
      <form
        class="filters"
        aria-label="Event filters"
        onSubmit={(e) => {
          e.preventDefault();
          apply({ ...draft, ...Object.fromEntries(LINK_FILTERS.map((k) => [k, filters[k]])) });
        }}
      >
        {admin && field('namespace', 'Namespace')}
        {field('streamId', 'Stream')}
        {field('type', 'Type')}
        {field('actor', 'Actor')}
        {field('from', 'From', 'datetime-local')}
        {field('to', 'To', 'datetime-local')}
        <button type="submit">Apply filters</button>
        <button
          type="button"
          onClick={() => {
            setDraft({});
            apply({});
          }}
        >
          Clear
        </button>
      </form>
      {LINK_FILTERS.filter((k) => filters[k]).map((k) => (
        <p class="chip" key={k}>
          {k} = <code>{filters[k]}</code>{' '}
          <button type="button" aria-label={`Remove ${k} filter`} onClick={() => apply({ ...filters, [k]: undefined })}>
            ×
          </button>
        </p>
      ))}
      <ErrorBox error={error} />
      <div class="split">
        <div>
          <table aria-label="Events" aria-busy={loading}>
            <thead>
              <tr>
                <th scope="col">Position</th>
                <th scope="col">Recorded</th>
                {admin && <th scope="col">Namespace</th>}
                <th scope="col">Stream</th>
                <th scope="col">Type</th>
              </tr>
            </thead>
            <tbody>
              {page?.items.map((e) => (
                <tr key={e.eventId} aria-selected={selected?.eventId === e.eventId}>
                  <td>
                    <button type="button" class="link" onClick={() => setSelected(e)} aria-label={`Show event ${e.globalPosition}`}>
                      {e.globalPosition}
                    </button>
                  </td>
                  <td>{time(e.recordedAt)}</td>
                  {admin && <td>{e.namespace}</td>}
                  <td>
                    <a href={href('streams', e.streamId)}>{e.streamId}</a> <span class="muted">v{e.streamVersion}</span>
                  </td>
                  <td>{e.type}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {page && page.items.length === 0 && <p role="status">No events match (or you are caught up).</p>}
          <div class="pager">
            <button type="button" disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>
              Previous page
            </button>
            <span role="status" aria-live="polite">
              Page {cursors.length + 1}
              {page ? ` · ${page.items.length} events` : ''}
            </span>
            <button type="button" disabled={!page || page.items.length < PAGE} onClick={() => page && setCursors([...cursors, page.nextCursor])}>
              Next page
            </button>
          </div>
        </div>
        {selected && <EventDetail event={selected} onFilter={(f) => apply({ ...f })} />}
      </div>
    </section>
  );
}

function EventDetail({ event, onFilter }: { event: RecordedEvent; onFilter: (f: EventFilters) => void }) {
  const m = event.metadata as { correlationId?: string; causationId?: string; actor?: string };
  return (
    <aside class="detail" aria-label="Event detail">
      <h2>
        {event.type} <span class="muted">#{event.globalPosition}</span>
      </h2>
      <dl>
        <dt>Event id</dt>
        <dd>
          <code>{event.eventId}</code>
        </dd>
        <dt>Stream</dt>
        <dd>
          <a href={href('streams', event.streamId)}>{event.streamId}</a> v{event.streamVersion}
        </dd>
        <dt>Recorded</dt>
        <dd>{time(event.recordedAt)}</dd>
        <dt>Cursor</dt>
        <dd>
          <code>{event.cursor}</code>
        </dd>
      </dl>
      <ul class="links" aria-label="Related events">
        {m.correlationId && (
          <li>
            <button type="button" class="link" onClick={() => onFilter({ correlationId: m.correlationId })}>
              Same correlation ({m.correlationId.slice(0, 8)}…)
            </button>
          </li>
        )}
        {m.causationId && (
          <li>
            <button type="button" class="link" onClick={() => onFilter({ eventId: m.causationId })}>
              Caused by {m.causationId.slice(0, 8)}…
            </button>
          </li>
        )}
        <li>
          <button type="button" class="link" onClick={() => onFilter({ causationId: event.eventId })}>
            Events it caused
          </button>
        </li>
        {m.actor && (
          <li>
            <button type="button" class="link" onClick={() => onFilter({ actor: m.actor })}>
              Everything by {m.actor}
            </button>
          </li>
        )}
        <li>
          <a href={href('audit', event.eventId)}>Audit proof of this event</a>
        </li>
      </ul>
      <h3>Data</h3>
      <Json value={event.data} label="Event data" />
      <h3>Metadata</h3>
      <Json value={event.metadata} label="Event metadata" />
    </aside>
  );
}
