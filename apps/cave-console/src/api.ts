/** The console's only way to the daemon: the public REST API with the signed-in key as a bearer token. */

const KEY_STORAGE = 'cave.console.apiKey';

/** The key lives in sessionStorage only: gone when the tab closes, never in a URL or a cookie. */
export const storedKey = (): string | null => sessionStorage.getItem(KEY_STORAGE);
export const storeKey = (key: string): void => sessionStorage.setItem(KEY_STORAGE, key);
export const forgetKey = (): void => sessionStorage.removeItem(KEY_STORAGE);

export interface Problem {
  status: number;
  code?: string;
  title?: string;
  detail?: string;
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
  }
}

export interface Whoami {
  keyId: string;
  namespace: string;
  role: 'admin' | 'member';
}

export interface RecordedEvent {
  globalPosition: number;
  eventId: string;
  namespace: string;
  streamType: string;
  streamId: string;
  streamVersion: number;
  type: string;
  schemaVersion: number;
  data: unknown;
  metadata: Record<string, unknown>;
  recordedAt: string;
  cursor: string;
}

export interface EventPage {
  items: RecordedEvent[];
  nextCursor: string;
}

export interface Response<T> {
  body: T;
  headers: Headers;
}

export async function call<T>(method: string, path: string, opts: { body?: unknown; headers?: Record<string, string>; key?: string; text?: boolean } = {}): Promise<Response<T>> {
  const key = opts.key ?? storedKey();
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
  if (key) headers.authorization = `Bearer ${key}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body), cache: 'no-store' });
  if (!res.ok) {
    let problem: Problem = { status: res.status };
    try {
      problem = { ...(await res.json()), status: res.status };
    } catch {
      // not JSON: keep the status
    }
    throw new ApiError(problem);
  }
  const body = (opts.text ? await res.text() : res.status === 204 ? undefined : await res.json()) as T;
  return { body, headers: res.headers };
}

export const get = async <T>(path: string, opts: { text?: boolean } = {}): Promise<T> => (await call<T>('GET', path, opts)).body;

/** Query string from the defined, non-empty values only. */
export function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export function describe(e: unknown): string {
  if (e instanceof ApiError) return `${e.problem.code ?? e.problem.status}: ${e.message}`;
  return e instanceof Error ? e.message : String(e);
}
