import { useEffect, useState } from 'preact/hooks';
import { describe, EventPage, get, query, RecordedEvent, Whoami } from '../api';
import { diffJson } from '../lib/diff';
import { ErrorBox, Json, time } from '../ui';

const SANDBOX_STREAM = /^sandbox-([0-9a-f-]{36})$/;

/** State of the stream folded up to global position `at`, through the API the key may use. */
function stateAt(who: Whoami, streamId: string, at: number): Promise<unknown> {
  if (who.role === 'admin') return get<{ state: unknown }>(`/api/v1/admin/streams/${encodeURIComponent(streamId)}${query({ at })}`).then((s) => s.state);
  const m = SANDBOX_STREAM.exec(streamId);
  if (!m) return Promise.reject(new Error('members can time-travel sandbox streams only'));
  return get<unknown>(`/api/v1/sandboxes/${m[1]}${query({ at })}`);
}

/** A stream's events beside its folded state, with a slider over its versions and a diff of two versions. */
export function StreamView({ who, streamId }: { who: Whoami; streamId: string }) {
  const [draft, setDraft] = useState(streamId);
  const [events, setEvents] = useState<RecordedEvent[]>([]);
  const [version, setVersion] = useState(0);
  const [compare, setCompare] = useState(0);
  const [state, setState] = useState<unknown>();
  const [other, setOther] = useState<unknown>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    setDraft(streamId);
    setEvents([]);
    setError(undefined);
    if (!streamId) return;
    const base = who.role === 'admin' ? '/api/v1/admin/events' : '/api/v1/events';
    get<EventPage>(base + query({ streamId, limit: 1000 }))
      .then((p) => {
        const sorted = [...p.items].sort((a, b) => a.streamVersion - b.streamVersion);
        setEvents(sorted);
        setVersion(sorted.length);
        setCompare(Math.max(1, sorted.length - 1));
        if (sorted.length === 0) setError('No such stream (or not in your namespace).');
      })
      .catch((e) => setError(describe(e)));
  }, [streamId, who.role]);

  const at = (v: number) => events[v - 1]?.globalPosition;
  useEffect(() => {
    if (!version || at(version) === undefined) return;
    stateAt(who, streamId, at(version)!).then(setState, (e) => setError(describe(e)));
  }, [version, events]);
  useEffect(() => {
    if (!compare || at(compare) === undefined) return;
    stateAt(who, streamId, at(compare)!).then(setOther, (e) => setError(describe(e)));
  }, [compare, events]);

  const current = events[version - 1];
  const changes = other !== undefined && state !== undefined ? diffJson(other, state) : [];
  return (
    <section aria-labelledby="stream-title">
      <h1 id="stream-title">Stream</h1>
      <form
        class="filters"
        aria-label="Open a stream"
        onSubmit={(e) => {
          e.preventDefault();
          location.hash = `#/streams/${encodeURIComponent(draft.trim())}`;
        }}
      >
        <div class="field">
          <label for="stream-id">Stream id</label>
          <input id="stream-id" value={draft} onInput={(e) => setDraft(e.currentTarget.value)} />
        </div>
        <button type="submit">Open</button>
      </form>
      <ErrorBox error={error} />
      {events.length > 0 && (
        <>
          <div class="field wide">
            <label for="version-slider">
              Version {version} of {events.length}
              {current && ` · after event #${current.globalPosition} (${current.type}, ${time(current.recordedAt)})`}
            </label>
            <input id="version-slider" type="range" min={1} max={events.length} step={1} value={version} onInput={(e) => setVersion(Number(e.currentTarget.value))} />
          </div>
          <div class="split">
            <div>
              <h2>Events</h2>
              <ol class="timeline" aria-label="Stream events">
                {events.map((e) => (
                  <li key={e.eventId} class={e.streamVersion <= version ? 'folded' : 'future'}>
                    <button type="button" class="link" onClick={() => setVersion(e.streamVersion)} aria-current={e.streamVersion === version ? 'step' : undefined}>
                      v{e.streamVersion} {e.type}
                    </button>{' '}
                    <span class="muted">#{e.globalPosition}</span>
                  </li>
                ))}
              </ol>
            </div>
            <div>
              <h2>State at version {version}</h2>
              <Json value={state} label="Folded state" />
            </div>
          </div>
          <h2>Diff</h2>
          <div class="field wide">
            <label for="compare-slider">Compare with version {compare}</label>
            <input id="compare-slider" type="range" min={1} max={events.length} step={1} value={compare} onInput={(e) => setCompare(Number(e.currentTarget.value))} />
          </div>
          <table aria-label={`Changes from version ${compare} to version ${version}`}>
            <thead>
              <tr>
                <th scope="col">Path</th>
                <th scope="col">Version {compare}</th>
                <th scope="col">Version {version}</th>
              </tr>
            </thead>
            <tbody>
              {changes.map((c) => (
                <tr key={c.path} class={c.kind}>
                  <td>
                    <code>{c.path}</code>
                  </td>
                  <td>{c.kind === 'added' ? '—' : JSON.stringify(c.before)}</td>
                  <td>{c.kind === 'removed' ? '—' : JSON.stringify(c.after)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {changes.length === 0 && <p role="status">No differences.</p>}
        </>
      )}
    </section>
  );
}
