import { useEffect, useState } from 'preact/hooks';
import { ApiError, call, describe, forgetKey, storedKey, storeKey, Whoami } from './api';
import { href, useRoute } from './router';
import { ErrorBox } from './ui';
import { AuditView } from './views/audit';
import { EventsView } from './views/events';
import { LiveView } from './views/live';
import { ProjectionsView } from './views/projections';
import { SandboxesView } from './views/sandboxes';
import { StreamView } from './views/stream';

const THEME_STORAGE = 'cave.console.theme';

function useTheme(): [string, () => void] {
  const [theme, setTheme] = useState(() => localStorage.getItem(THEME_STORAGE) ?? (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'));
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem(THEME_STORAGE, theme);
  }, [theme]);
  return [theme, () => setTheme((t) => (t === 'dark' ? 'light' : 'dark'))];
}

function SignIn({ onSignedIn }: { onSignedIn: (who: Whoami) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const who = (await call<Whoami>('GET', '/api/v1/auth/whoami', { key: key.trim() })).body;
      storeKey(key.trim());
      onSignedIn(who);
    } catch (err) {
      setError(err instanceof ApiError && err.problem.status === 401 ? 'That key was not accepted (unknown or revoked).' : describe(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="signin">
      <h1>CAVE console</h1>
      <form onSubmit={submit} aria-label="Sign in">
        <label for="api-key">API key</label>
        <input id="api-key" name="api-key" type="password" autoComplete="off" required value={key} onInput={(e) => setKey(e.currentTarget.value)} placeholder="cave_sk_…" />
        <p class="hint">Kept in this tab's session storage only; closing the tab signs you out.</p>
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        <ErrorBox error={error} />
      </form>
    </main>
  );
}

const NAV: { name: string; label: string; admin?: boolean }[] = [
  { name: 'events', label: 'Events' },
  { name: 'live', label: 'Live tail' },
  { name: 'sandboxes', label: 'Sandboxes' },
  { name: 'projections', label: 'Projections', admin: true },
  { name: 'audit', label: 'Audit' },
];

export function App() {
  const [who, setWho] = useState<Whoami | null>(null);
  const [checking, setChecking] = useState(() => storedKey() !== null);
  const [theme, toggleTheme] = useTheme();
  const route = useRoute();

  useEffect(() => {
    if (!checking) return;
    call<Whoami>('GET', '/api/v1/auth/whoami')
      .then((r) => setWho(r.body))
      .catch(() => forgetKey())
      .finally(() => setChecking(false));
  }, []);

  const signOut = () => {
    forgetKey();
    setWho(null);
    location.hash = '';
  };

  if (checking) return <p class="loading">Loading…</p>;
  if (!who) return <SignIn onSignedIn={setWho} />;

  const admin = who.role === 'admin';
  const allowed = NAV.find((n) => n.name === route.name && (!n.admin || admin)) ?? (route.name === 'streams' ? { name: 'streams' } : undefined);
  return (
    <div class="shell">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header>
        <strong>CAVE</strong>
        <nav aria-label="Main">
          <ul>
            {NAV.filter((n) => !n.admin || admin).map((n) => (
              <li key={n.name}>
                <a href={href(n.name)} aria-current={route.name === n.name ? 'page' : undefined}>
                  {n.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span class="who" aria-label="Signed in as">
          {who.role} · {who.namespace}
        </span>
        <button type="button" onClick={toggleTheme} aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}>
          {theme === 'dark' ? 'Light' : 'Dark'}
        </button>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {!allowed && <p role="alert">This view is for admin keys.</p>}
        {allowed?.name === 'events' && <EventsView who={who} />}
        {allowed?.name === 'streams' && <StreamView who={who} streamId={route.param ?? ''} />}
        {allowed?.name === 'live' && <LiveView who={who} />}
        {allowed?.name === 'sandboxes' && <SandboxesView who={who} id={route.param} />}
        {allowed?.name === 'projections' && <ProjectionsView />}
        {allowed?.name === 'audit' && <AuditView who={who} eventId={route.param} />}
      </main>
    </div>
  );
}
