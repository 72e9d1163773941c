import { useEffect, useState } from 'preact/hooks';
import { call, describe, get, Whoami } from '../api';
import { href } from '../router';
import { Confirm, ErrorBox, Json, time } from '../ui';

interface Sandbox {
  id: string;
  namespace: string;
  name: string;
  runtime: string;
  mode: string;
  state: string;
  version: number;
  labels: Record<string, string>;
  limits: Record<string, number>;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}

const ACTIONS: Record<string, { label: string; method: string; path: string }[]> = {
  created: [
    { label: 'Start', method: 'POST', path: 'start' },
    { label: 'Delete', method: 'DELETE', path: '' },
  ],
  running: [{ label: 'Stop', method: 'POST', path: 'stop' }],
  stopped: [
    { label: 'Start', method: 'POST', path: 'start' },
    { label: 'Delete', method: 'DELETE', path: '' },
  ],
  deleted: [],
};

function SandboxList() {
  const [items, setItems] = useState<Sandbox[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [state, setState] = useState('');
  const [name, setName] = useState('');
  const [runtime, setRuntime] = useState('javascript');
  const [error, setError] = useState<string>();
  const [reload, setReload] = useState(0);

  useEffect(() => {
    get<{ items: Sandbox[]; nextCursor: string | null }>(`/api/v1/sandboxes?limit=50${state ? `&state=${state}` : ''}`).then(
      (p) => {
        setItems(p.items);
        setCursor(p.nextCursor);
      },
      (e) => setError(describe(e)),
    );
  }, [state, reload]);

  const more = async () => {
    if (!cursor) return;
    const p = await get<{ items: Sandbox[]; nextCursor: string | null }>(`/api/v1/sandboxes?limit=50&cursor=${encodeURIComponent(cursor)}${state ? `&state=${state}` : ''}`);
    setItems([...items, ...p.items]);
    setCursor(p.nextCursor);
  };

  const create = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    try {
      await call('POST', '/api/v1/sandboxes', { body: { name, runtime, mode: 'quick' }, headers: { 'idempotency-key': crypto.randomUUID() } });
      setName('');
      setReload((n) => n + 1);
    } catch (err) {
      setError(describe(err));
    }
  };

  return (
    <section aria-labelledby="sandboxes-title">
      <h1 id="sandboxes-title">Sandboxes</h1>
      <form class="filters" aria-label="Create a sandbox" onSubmit={create}>
        <div class="field">
          <label for="sb-name">Name</label>
          <input id="sb-name" required maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="sb-runtime">Runtime</label>
          <select id="sb-runtime" value={runtime} onChange={(e) => setRuntime(e.currentTarget.value)}>
            <option value="javascript">javascript</option>
            <option value="wasi">wasi</option>
          </select>
        </div>
        <button type="submit">Create sandbox</button>
      </form>
      <div class="field">
        <label for="sb-state">State</label>
        <select id="sb-state" value={state} onChange={(e) => setState(e.currentTarget.value)}>
          <option value="">all but deleted</option>
          <option value="created">created</option>
          <option value="running">running</option>
          <option value="stopped">stopped</option>
          <option value="deleted">deleted</option>
        </select>
      </div>
      <ErrorBox error={error} />
      <table aria-label="Sandboxes">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">State</th>
            <th scope="col">Runtime</th>
            <th scope="col">Namespace</th>
            <th scope="col">Updated</th>
          </tr>
        </thead>
        <tbody>
          {items.map((s) => (
            <tr key={s.id}>
              <td>
                <a href={href('sandboxes', s.id)}>{s.name}</a>
              </td>
              <td>
                <span class={`badge ${s.state}`}>{s.state}</span>
              </td>
              <td>{s.runtime}</td>
              <td>{s.namespace}</td>
              <td>{time(s.updatedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {cursor && (
        <button type="button" onClick={() => void more()}>
          More
        </button>
      )}
    </section>
  );
}

function SandboxDetail({ id }: { id: string }) {
  const [sandbox, setSandbox] = useState<Sandbox>();
  const [etag, setEtag] = useState<string>();
  const [error, setError] = useState<string>();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const load = () =>
    call<Sandbox>('GET', `/api/v1/sandboxes/${id}`).then(
      (r) => {
        setSandbox(r.body);
        setEtag(r.headers.get('etag') ?? undefined);
      },
      (e) => setError(describe(e)),
    );
  useEffect(() => void load(), [id]);

  const act = async (a: { method: string; path: string }) => {
    setError(undefined);
    try {
      // If-Match: act only on the version shown; a concurrent change is a 412, not a surprise.
      await call(a.method, `/api/v1/sandboxes/${id}${a.path ? `/${a.path}` : ''}`, { headers: { ...(etag && { 'if-match': etag }), 'idempotency-key': crypto.randomUUID() } });
    } catch (e) {
      setError(describe(e));
    }
    await load();
  };

  if (!sandbox) return <ErrorBox error={error} />;
  return (
    <section aria-labelledby="sandbox-title">
      <p>
        <a href={href('sandboxes')}>← All sandboxes</a>
      </p>
      <h1 id="sandbox-title">{sandbox.name}</h1>
      <p>
        <span class={`badge ${sandbox.state}`} aria-label="State">
          {sandbox.state}
        </span>{' '}
        version {sandbox.version} · <a href={href('streams', `sandbox-${sandbox.id}`)}>history and time travel</a>
      </p>
      <div class="actions" role="group" aria-label="Lifecycle actions">
        {(ACTIONS[sandbox.state] ?? []).map((a) => (
          <button key={a.label} type="button" class={a.method === 'DELETE' ? 'danger' : ''} onClick={() => (a.method === 'DELETE' ? setConfirmDelete(true) : void act(a))}>
            {a.label}
          </button>
        ))}
      </div>
      <ErrorBox error={error} />
      <Json value={sandbox} label="Sandbox" />
      <Confirm
        open={confirmDelete}
        title={`Delete ${sandbox.name}?`}
        confirmLabel="Yes, delete"
        onClose={(ok) => {
          setConfirmDelete(false);
          if (ok) void act({ method: 'DELETE', path: '' });
        }}
      >
        <p>The sandbox stays readable with its history, in state deleted.</p>
      </Confirm>
    </section>
  );
}

export function SandboxesView({ id }: { who: Whoami; id?: string }) {
  return id ? <SandboxDetail id={id} /> : <SandboxList />;
}
