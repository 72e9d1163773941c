import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { parse } from 'yaml';
import { startTestApp, TestApp, waitFor } from '@cave/testing';
import { createApp } from '../apps/cave-daemon/src/bootstrap/create-app';

const ADMIN = 'cave_sk_' + 'p'.repeat(40);
/** Query parameters that are integers on every route that has them. */
const INT_PARAMS = new Set(['limit']);
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
type Method = (typeof METHODS)[number];

interface Operation {
  parameters?: { name: string; in: string }[];
}
interface Route {
  method: Method;
  path: string;
  op: Operation;
}

/**
 * The committed OpenAPI document (CI checks it is exactly what /docs-json serves). Read when the file loads
 * because jest fixes a test's timeout when the test is declared, before beforeAll has fetched /docs-json:
 * the probe tests get a time budget proportional to the routes they will loop over.
 */
const DOCUMENTED = parse(readFileSync(join(__dirname, '..', 'openapi', 'openapi.yaml'), 'utf8')) as { paths: Record<string, Partial<Record<Method, Operation>>> };
const documented = (keep: (path: string, method: Method, op: Operation) => boolean): Operation[] =>
  Object.entries(DOCUMENTED.paths).flatMap(([path, ops]) => METHODS.filter((m) => ops[m] && keep(path, m, ops[m]!)).map((m) => ops[m]!));
const queryParams = (op: Operation) => (op.parameters ?? []).filter((x) => x.in === 'query').length;
/** A generous per-request allowance on a loaded 2-core machine (the app serves in this same process). */
const budget = (requests: number) => 10_000 + requests * 200;
/** Requests in flight at once: overlaps database round trips without queueing behind the connection pool. */
const PARALLEL = 6;

/** Runs `fn` over `items` with at most PARALLEL at a time; the first failure stops handing out work and is thrown. */
async function inParallel<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const item = items[next++];
      try {
        await fn(item);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  const results = await Promise.allSettled(Array.from({ length: Math.min(PARALLEL, items.length) }, worker));
  const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (rejected) throw rejected.reason;
}

/** What namespace A owns; none of it may ever appear in a response to namespace B. */
interface Victim {
  namespace: string;
  key: string;
  keyId: string;
  sandboxId: string;
  streamId: string;
  eventId: string;
  globalPosition: number;
  bucket: string;
  objectKey: string;
  uploadId: string;
  endpointId: string;
  deliveryId: string;
}

/**
 * An attacker with a member key of namespace B probes every route of the published OpenAPI
 * document with namespace A's identifiers, plus malformed headers, query strings and paths.
 * The route list comes from /docs-json, so a route added later is probed without editing this file
 * (an unknown path parameter fails the test until it gets a value below).
 */
describe('attacker probes over every documented route (e2e)', () => {
  let t: TestApp;
  let a: Victim;
  let attacker: string;
  let routes: Route[];
  const bearer = (k: string) => ({ authorization: `Bearer ${k}` });
  const http = () => request(t.url);

  beforeAll(async () => {
    // The per-address auth-failure throttle would answer this one address's thousands of bad credentials with
    // 429 before the probes are done; it has its own tests (key-rotation e2e). Loopback webhook endpoints are
    // allowed so that A can own an endpoint and a delivery for the probes.
    t = await startTestApp(createApp, { CAVE_BOOTSTRAP_ADMIN_KEY: ADMIN, CAVE_AUTH_FAILURE_LIMIT: '0', CAVE_WEBHOOK_ALLOW_PRIVATE: 'true' });
    const issue = async (namespace: string) =>
      (await http().post('/api/v1/auth/keys').set(bearer(ADMIN)).send({ namespace, name: `${namespace}-probe`, role: 'member' }).expect(201)).body as { id: string; key: string };
    const keyA = await issue('team-a');
    attacker = (await issue('team-b')).key;
    const sandbox = (await http().post('/api/v1/sandboxes').set(bearer(keyA.key)).send({ name: 'secret-a', runtime: 'javascript', mode: 'quick' }).expect(201)).body as { id: string };
    await http().post(`/api/v1/sandboxes/${sandbox.id}/start`).set(bearer(keyA.key)).expect(200);
    const first = (await http().get(`/api/v1/sandboxes/${sandbox.id}/events`).set(bearer(keyA.key)).expect(200)).body.items[0] as {
      eventId: string;
      streamId: string;
      globalPosition: number;
    };
    // A's storage: a bucket, an object and an open multipart upload.
    await http().put('/api/v1/storage/buckets/a-bucket').set(bearer(keyA.key)).expect(201);
    await http().put('/api/v1/storage/buckets/a-bucket/objects/a-obj.txt').set(bearer(keyA.key)).set('content-type', 'text/plain').send('secret-a object').expect(200);
    const upload = (await http().post('/api/v1/storage/buckets/a-bucket/uploads').set(bearer(keyA.key)).send({ key: 'a-big.bin' }).expect(201)).body as { uploadId: string };
    await http().put(`/api/v1/storage/buckets/a-bucket/uploads/${upload.uploadId}/parts/1`).set(bearer(keyA.key)).set('content-type', 'application/octet-stream').send(Buffer.from('part one')).expect(200);
    // A's webhook endpoint, and a delivery to it: an admin rotates a second key of A's namespace.
    const endpoint = (await http().post('/api/v1/webhooks/endpoints').set(bearer(keyA.key)).send({ url: 'http://127.0.0.1:9/hook', eventTypes: ['key_rotated'] }).expect(201)).body as { id: string };
    const spare = await issue('team-a');
    await http().post('/api/v1/auth/keys/rotate').set(bearer(ADMIN)).send({ keyId: spare.id }).expect(200);
    const deliveryId = await waitFor(async () => {
      const items = (await http().get('/api/v1/webhooks/deliveries').set(bearer(keyA.key)).expect(200)).body.items as { id: string }[];
      return items[0]?.id;
    }, 20_000, "a delivery to A's endpoint");
    a = {
      namespace: 'team-a', key: keyA.key, keyId: keyA.id, sandboxId: sandbox.id, streamId: first.streamId, eventId: first.eventId, globalPosition: first.globalPosition,
      bucket: 'a-bucket', objectKey: 'a-obj.txt', uploadId: upload.uploadId, endpointId: endpoint.id, deliveryId,
    };
    // The audit entry is written asynchronously; the member proof probe needs it to exist for A.
    await waitFor(async () => ((await http().get(`/api/v1/audit/entries/${a.eventId}/proof`).set(bearer(a.key))).status === 200 ? true : undefined), 10_000, "A's audit entry");

    const doc = (await http().get('/docs-json').expect(200)).body as { paths: Record<string, Partial<Record<Method, Operation>>> };
    routes = Object.entries(doc.paths).flatMap(([path, ops]) => METHODS.filter((m) => ops[m]).map((method) => ({ method, path, op: ops[method]! })));
    // Starting the app (migrations on a fresh database) plus the audit wait above: far beyond jest's 5 s default.
  }, 60_000);
  afterAll(() => t.close(), 30_000);

  const isPublic = (path: string) => path === '/healthz' || path === '/metrics';
  /** Routes without an API key by design: their own credential is a signature (signed URLs, the peer rotation receiver). */
  const isKeyless = (path: string) => path.startsWith('/api/v1/storage/signed/') || path === '/api/v1/auth/keys/rotated';
  /** Rotates the caller's own key: probing it with B's key would retire the attacker mid-run (tested in key-rotation e2e). */
  const isSelfService = (r: Route) => r.path === '/api/v1/auth/keys/rotate';
  /** Creates a resource by a name in the caller's own namespace: B gets its own bucket, which is not A's. */
  const createsByName = (r: Route) => r.method === 'put' && r.path === '/api/v1/storage/buckets/{bucket}';
  /** A route addressing a bucket by name only: a valid name may be the caller's own bucket, made by the PUT probe. */
  const namesOwnBucket = (r: Route) => r.path === '/api/v1/storage/buckets/{bucket}';
  /** MCP is a JSON-RPC edge: its errors are JSON-RPC error objects carrying the same codes (ADR 0011). */
  const isJsonRpc = (path: string) => path === '/mcp';
  const isAdminOnly = (r: Route) => r.path.startsWith('/api/v1/admin/') || r.path.startsWith('/api/v1/peers') || (r.path === '/api/v1/auth/keys' && r.method === 'post');

  /** A's identifier for a path parameter. */
  const pathValue = (path: string, name: string): string => {
    if (name === 'id') {
      if (path.startsWith('/api/v1/auth/keys')) return a.keyId;
      if (path.startsWith('/api/v1/webhooks/endpoints')) return a.endpointId;
      if (path.startsWith('/api/v1/webhooks/deliveries')) return a.deliveryId;
      return a.sandboxId;
    }
    if (name === 'bucket') return a.bucket;
    if (name === 'path') return a.objectKey;
    if (name === 'uploadId') return a.uploadId;
    if (name === 'partNumber') return '1';
    if (name === 'entry') return 'serial:0abc';
    if (name === 'ns' || name === 'namespace') return a.namespace;
    if (name === 'eventId') return a.eventId;
    if (name === 'streamId') return a.streamId;
    if (name === 'name') return 'sandboxes';
    // Registry ids are hashes (artifact sha256, publisher key sha256): node-wide admin state, no tenant's data.
    if (name === 'modelId' || name === 'publisherId') return 'ab'.repeat(32);
    if (name === 'ns') return a.namespace;
    throw new Error(`no probe value for path parameter {${name}} of ${path}: add one to attacker-probes.e2e-spec.ts`);
  };
  /** Query parameters that point at A's data. */
  const victimQuery = (r: Route): Record<string, string> => {
    const q: Record<string, string> = {};
    for (const p of r.op.parameters ?? []) {
      if (p.in !== 'query') continue;
      if (p.name === 'namespace') q.namespace = a.namespace;
      if (p.name === 'streamId') q.streamId = a.streamId;
      if (p.name === 'at') q.at = String(a.globalPosition);
    }
    return q;
  };
  const urlOf = (r: Route, values: (name: string) => string = (n) => pathValue(r.path, n)) =>
    r.path.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(values(name)));

  const send = (method: Method, url: string, key: string | undefined, headers: Record<string, string> = {}) => {
    let req = http()[method](url).set(headers);
    if (key !== undefined) req = req.set(bearer(key));
    return ['post', 'put', 'patch'].includes(method) ? req.send({}) : req;
  };

  /** Never a 5xx, 4xx always problem+json, and nothing of A's in the body. */
  const expectSafe = (res: request.Response, what: string, admin = what.endsWith(' as admin')) => {
    // An id the attacker sent may be echoed in the error detail; anything else of A's is a leak.
    const sent = safeDecode(what);
    expect({ what, status: res.status < 500 }).toEqual({ what, status: true });
    const media = isJsonRpc(what.split(' ')[1]?.split('?')[0] ?? '') ? /^application\/(problem\+)?json/ : /^application\/problem\+json/;
    if (res.status >= 400) expect({ what, type: res.headers['content-type'] }).toEqual({ what, type: expect.stringMatching(media) });
    // An admin may see every tenant's data; for admins the probe only checks status and media type.
    if (admin) return;
    for (const secret of [a.sandboxId, a.keyId, a.eventId, a.streamId, a.key, 'secret-a', `"${a.namespace}"`]) {
      if (sent.includes(secret)) continue;
      expect({ what, leaks: res.text.includes(secret) ? secret : null }).toEqual({ what, leaks: null });
    }
  };

  it('finds the documented routes', () => {
    expect(routes.length).toBeGreaterThanOrEqual(20);
  });

  it("answers B with 404 on every route that takes A's ids, and 403 on every admin route, leaking nothing", async () => {
    // Runtime actions on one sandbox id share a per-sandbox slot (keyed by the caller's namespace, so nothing of A's):
    // probed at once, the second would be a 429 instead of the 404 under test. They run one after another.
    const sharesSlot = (r: Route) => r.method === 'post' && r.path.startsWith('/api/v1/sandboxes/{id}/');
    const probe = async (r: Route) => {
      const url = urlOf(r);
      const res = await send(r.method, url, attacker).query(victimQuery(r));
      const what = `${r.method.toUpperCase()} ${url}`;
      expectSafe(res, what);
      // Without their signature, keyless routes refuse B; a create-by-name gives B its own bucket (expectSafe checked it leaks nothing).
      if (isKeyless(r.path)) expect({ what, refused: res.status >= 400 }).toEqual({ what, refused: true });
      else if (createsByName(r)) return;
      else if (isAdminOnly(r)) expect({ what, status: res.status }).toEqual({ what, status: 403 });
      // The probe's empty body may be refused by the route's DTO before any lookup by id (same answer for any id).
      else if (r.path.includes('{') && !(res.status === 400 && (res.body as { code?: string }).code === 'HTTP.VALIDATION')) expect({ what, status: res.status }).toEqual({ what, status: 404 });
    };
    const probed = routes.filter((x) => !isPublic(x.path) && !isSelfService(x));
    // B's PUT of A's bucket name makes B's own bucket: probed last, so the other bucket routes still meet no bucket of B's.
    await inParallel(probed.filter((r) => !sharesSlot(r) && !createsByName(r)), probe);
    for (const r of probed.filter((x) => sharesSlot(x) || createsByName(x))) await probe(r);
  }, budget(documented((path) => !isPublic(path)).length));

  it("gives A itself a 2xx on the same GET urls, so B's 404s are about the tenant and not a bad probe", async () => {
    // Keyless routes need their own signature (signed URLs: storage e2e), not A's key.
    await inParallel(routes.filter((x) => x.method === 'get' && x.path.includes('{') && !isAdminOnly(x) && !isKeyless(x.path)), async (r) => {
      const res = await http().get(urlOf(r)).query(victimQuery(r)).set(bearer(a.key));
      expect({ route: r.path, status: res.status }).toEqual({ route: r.path, status: 200 });
    });
  }, budget(documented((path, method) => method === 'get' && path.includes('{')).length));

  it("still sees A's sandbox unchanged after B's probes (no transition leaked through)", async () => {
    const res = await http().get(`/api/v1/sandboxes/${a.sandboxId}`).set(bearer(a.key)).expect(200);
    expect(res.body).toMatchObject({ state: 'running', version: 2 });
  });

  it('answers 401 problem+json for missing, malformed, oversized and non-bearer credentials on every protected route', async () => {
    const bad: (Record<string, string> | undefined)[] = [
      undefined,
      { authorization: 'Bearer' },
      { authorization: 'Bearer ' },
      { authorization: 'Basic ' + Buffer.from('a:b').toString('base64') },
      { authorization: `Bearer ${'cave_sk_' + 'z'.repeat(8000)}` },
      { authorization: `Bearer ${a.key.slice(0, -1)}` },
      { authorization: `Bearer ${a.key} ${a.key}` },
      { authorization: `Bearer ${a.key.toUpperCase()}` },
    ];
    const probes = routes.filter((x) => !isPublic(x.path) && !isKeyless(x.path)).flatMap((r) => bad.map((headers) => ({ r, headers })));
    await inParallel(probes, async ({ r, headers }) => {
      const res = await send(r.method, urlOf(r), undefined, headers ?? {});
      const what = `${r.method.toUpperCase()} ${r.path} with ${JSON.stringify(headers)?.slice(0, 60)}`;
      expectSafe(res, what);
      expect({ what, status: res.status }).toEqual({ what, status: 401 });
    });
  }, budget(documented((path) => !isPublic(path)).length * 8));

  it('refuses headers beyond the server limit with 431 and keeps serving', async () => {
    const res = await http().get('/api/v1/sandboxes').set({ authorization: `Bearer cave_sk_${'z'.repeat(20_000)}` }).catch((e: Error) => e);
    expect(res instanceof Error ? res.message : res.status).toBe(431);
    await http().get('/api/v1/sandboxes').set(bearer(attacker)).expect(200);
  });

  it('rejects weird If-Match and Idempotency-Key headers with a 4xx, never a 5xx', async () => {
    const own = (await http().post('/api/v1/sandboxes').set(bearer(attacker)).send({ name: 'b-own', runtime: 'wasi', mode: 'quick' }).expect(201)).body as { id: string };
    const ifMatch = ['*', 'W/"1"', '"abc"', '"1", "2"', '"99999999999999999999999"', '"-1"', '1', '""', '"' + '9'.repeat(500) + '"', '"1.5"', '"0x1"'];
    for (const v of ifMatch) {
      const res = await http().post(`/api/v1/sandboxes/${own.id}/stop`).set(bearer(attacker)).set('if-match', v);
      // The sandbox is `created`, so stop is a 409 at best: nothing here may succeed or crash.
      expect({ v, status: res.status >= 400 && res.status < 500 }).toEqual({ v, status: true });
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    const keys = ['', ' ', 'a'.repeat(256), 'k'.repeat(4000), '../../etc/passwd', '%00', '"quoted"', 'k,with,commas', '\t tab'];
    for (const k of keys) {
      const res = await http().post('/api/v1/sandboxes').set(bearer(attacker)).set('idempotency-key', k).send({ name: 'idem', runtime: 'wasi', mode: 'quick' });
      expect({ k: k.slice(0, 20), status: res.status < 500 }).toEqual({ k: k.slice(0, 20), status: true });
      if (res.status >= 400) expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
  });

  it('rejects NUL characters and prototype-poisoning keys in JSON bodies with a 4xx problem', async () => {
    for (const payload of [
      { name: 'a\u0000b', runtime: 'wasi', mode: 'quick' },
      { name: 'ok', runtime: 'wasi', mode: 'quick', labels: { k: 'v\u0000' } },
      { name: 'ok', runtime: 'wasi', mode: 'quick', labels: { 'k\u0000': 'v' } },
    ]) {
      const res = await http().post('/api/v1/sandboxes').set(bearer(attacker)).send(payload);
      expect({ payload, status: res.status >= 400 && res.status < 500 }).toEqual({ payload, status: true });
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    for (const raw of ['{"name":"p","runtime":"wasi","mode":"quick","__proto__":{"admin":true}}', '{"name":"p","runtime":"wasi","mode":"quick","constructor":{"prototype":{"admin":true}}}']) {
      const res = await http().post('/api/v1/sandboxes').set(bearer(attacker)).set('content-type', 'application/json').send(raw);
      expect({ raw, status: res.status }).toEqual({ raw, status: 400 });
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    const key = await http().post('/api/v1/auth/keys').set(bearer(ADMIN)).send({ namespace: 'team-c', name: 'n\u0000', role: 'member' });
    expect(key.status).toBe(400);
  });

  it('answers garbage query strings on every GET route with a 4xx or a clean 2xx, never a 5xx or foreign data', async () => {
    const garbage = ['1&{p}=2', '-1', '99999999999999999999999', '1e3', '0x10', 'NaN', '%FF%FE', '%00', '..%2F..%2F', "'%20or%201=1--", '2026-13-45T99:99:99Z', ''];
    const params = routes.filter((x) => x.method === 'get').flatMap((r) => (r.op.parameters ?? []).filter((x) => x.in === 'query').map((p) => ({ r, p })));
    const probes = params.flatMap(({ r, p }) => garbage.flatMap((g) => [attacker, ADMIN].map((key) => ({ r, p, g, key }))));
    await inParallel(probes, async ({ r, p, g, key }) => {
      const url = `${urlOf(r)}?${p.name}=${g.replace('{p}', p.name)}`;
      const res = await http().get(url).set(bearer(key));
      expectSafe(res, `GET ${url} as ${key === ADMIN ? 'admin' : 'member'}`);
      // Integers are plain decimal: hex, exponent, signs and repeats are a 400, not a guess.
      if (INT_PARAMS.has(p.name) && g !== '' && (key === ADMIN || !isAdminOnly(r))) expect({ url, status: res.status }).toEqual({ url, status: 400 });
    });
    await inParallel(params, async ({ r, p }) => {
      const arr = await http().get(`${urlOf(r)}?${p.name}[]=1&${p.name}[0]=2`).set(bearer(attacker));
      expectSafe(arr, `GET ${r.path}?${p.name}[]`);
    });
    // (route, parameter, garbage, key): about a thousand requests, and more with every documented query parameter.
  }, budget(documented((_path, method) => method === 'get').reduce((n, op) => n + queryParams(op) * 25, 0)));

  it('answers traversal and non-UTF-8 garbage in path parameters with a 4xx problem, never a 5xx', async () => {
    const nasty = ['..%2F..%2Fadmin%2Fevents', '%2e%2e', '%FF%FE%FD', '%00', 'x'.repeat(5000), '%E2%80%AE', "1'%20or%20'1'='1", '00000000-0000-0000-0000-000000000000'];
    const probes = routes.filter((x) => x.path.includes('{')).flatMap((r) => nasty.flatMap((n) => [attacker, ADMIN].map((key) => ({ r, n, key }))));
    await inParallel(probes, async ({ r, n, key }) => {
      const url = r.path.replace(/\{\w+\}/g, n);
      const res = await send(r.method, url, key);
      const what = `${r.method.toUpperCase()} ${url.slice(0, 120)} as ${key === ADMIN ? 'admin' : 'member'}`;
      // A valid bucket name addresses the caller's own bucket (made by the PUT probe); every other value must be refused.
      if (namesOwnBucket(r) && n === '00000000-0000-0000-0000-000000000000') return expect({ what, status: res.status < 500 }).toEqual({ what, status: true });
      expect({ what, status: res.status >= 400 && res.status < 500 }).toEqual({ what, status: true });
      expect({ what, type: res.headers['content-type'] }).toEqual({ what, type: expect.stringMatching(/^application\/problem\+json/) });
    });
  }, budget(documented((path) => path.includes('{')).length * 16));
});

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
