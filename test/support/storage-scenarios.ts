import { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { Readable } from 'node:stream';
import request from 'supertest';
import { waitFor } from '@cave/testing';

export interface StorageCtx {
  url: string;
  admin: string;
  /** Member of namespace `team-a`, and its key id. */
  a: string;
  aId: string;
  /** Member of namespace `team-b`: the attacker. */
  b: string;
  /** Namespace `team-q` runs with quotas of QUOTA_BYTES bytes and QUOTA_OBJECTS objects. */
  quota: string;
}

export const QUOTA_BYTES = 64 * 1024;
export const QUOTA_OBJECTS = 3;

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const bearer = (k: string) => ({ authorization: `Bearer ${k}` });
const enc = (key: string) => key.split('/').map(encodeURIComponent).join('/');

export function expectProblem(res: request.Response, status: number, code?: string): void {
  expect({ status: res.status, body: res.body }).toMatchObject({ status, body: { status, code: code ?? expect.any(String) } });
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
}

/** Streams `size` pseudo-random bytes generated on the fly (never held whole) and returns their sha256. */
export function generated(size: number, seed = 1): { stream: () => Readable; sha256: string } {
  const chunk = 1024 * 1024;
  const block = (i: number) => createHash('sha512').update(`${seed}:${i}`).digest();
  const chunkAt = (i: number, len: number) => {
    const b = Buffer.allocUnsafe(len);
    const base = block(i);
    for (let o = 0; o < len; o += base.length) base.copy(b, o, 0, Math.min(base.length, len - o));
    return b;
  };
  const h = createHash('sha256');
  for (let o = 0, i = 0; o < size; o += chunk, i++) h.update(chunkAt(i, Math.min(chunk, size - o)));
  const sha256 = h.digest('hex');
  const stream = () =>
    Readable.from(
      (function* () {
        for (let o = 0, i = 0; o < size; o += chunk, i++) yield chunkAt(i, Math.min(chunk, size - o));
      })(),
    );
  return { stream, sha256 };
}

/** PUT with a streamed body over plain node:http (supertest buffers). */
export function putStream(url: string, path: string, body: Readable, size: number, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const all: Record<string, string> = { 'content-length': String(size), ...headers };
    // An empty value means "send no Content-Length" (a chunked upload).
    if (all['content-length'] === '') delete all['content-length'];
    const req = httpRequest(`${url}${path}`, { method: 'PUT', headers: all }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    body.pipe(req);
  });
}

/** GET streamed and hashed on the fly. */
export function getHashed(url: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; size: number; sha256: string }> {
  return new Promise((resolve, reject) => {
    httpRequest(`${url}${path}`, { headers }, (res) => {
      const h = createHash('sha256');
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        h.update(c);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, size, sha256: h.digest('hex') }));
    })
      .on('error', reject)
      .end();
  });
}

/** Sends the headers and half of the declared body, then drops the connection. */
export function abortedUpload(url: string, path: string, key: string, declared: number): Promise<void> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(u.port), u.hostname, () => {
      socket.write(`PUT ${path} HTTP/1.1\r\nHost: ${u.host}\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/octet-stream\r\nContent-Length: ${declared}\r\n\r\n`);
      socket.write(randomBytes(Math.floor(declared / 2)), () => setTimeout(() => socket.destroy(), 100));
    });
    socket.on('close', () => resolve());
    socket.on('error', () => resolve());
  });
}

/** Keys of the three namespaces the scenarios use, issued through the admin key. */
export async function storageContext(url: string, admin: string): Promise<StorageCtx> {
  const issue = async (namespace: string) =>
    (await request(url).post('/api/v1/auth/keys').set({ authorization: `Bearer ${admin}` }).send({ namespace, name: `${namespace}-storage`, role: 'member' }).expect(201)).body as { id: string; key: string };
  const [a, b, q] = [await issue('team-a'), await issue('team-b'), await issue('team-q')];
  return { url, admin, a: a.key, aId: a.id, b: b.key, quota: q.key };
}

/**
 * The storage API over real HTTP, the same scenarios on every backend (`test/storage*.e2e-spec.ts`).
 */
export function storageScenarios(ctx: () => StorageCtx): void {
  const http = () => request(ctx().url);
  const objects = (bucket: string) => `/api/v1/storage/buckets/${bucket}/objects`;
  const put = (k: string, bucket: string, key: string, body: Buffer, headers: Record<string, string> = {}) =>
    http().put(`${objects(bucket)}/${enc(key)}`).set(bearer(k)).set({ 'content-type': 'application/octet-stream', ...headers }).send(body);

  beforeAll(async () => {
    for (const b of ['docs', 'big', 'list', 'pre']) await http().put(`/api/v1/storage/buckets/${b}`).set(bearer(ctx().a)).expect(201);
  });

  describe('buckets', () => {
    it('creates idempotently, lists with paging, shows counts, refuses deleting a non-empty bucket', async () => {
      const again = await http().put('/api/v1/storage/buckets/docs').set(bearer(ctx().a)).expect(200);
      expect(again.body).toEqual({ name: 'docs', createdAt: expect.any(String) });
      await http().put('/api/v1/storage/buckets/tmp-x').set(bearer(ctx().a)).expect(201);
      const page1 = await http().get('/api/v1/storage/buckets?limit=2').set(bearer(ctx().a)).expect(200);
      expect(page1.body.items.map((b: { name: string }) => b.name)).toEqual(['big', 'docs']);
      const page2 = await http().get(`/api/v1/storage/buckets?limit=2&cursor=${page1.body.nextCursor}`).set(bearer(ctx().a)).expect(200);
      expect(page2.body.items.map((b: { name: string }) => b.name)).toEqual(['list', 'pre']);
      const page3 = await http().get(`/api/v1/storage/buckets?limit=2&cursor=${page2.body.nextCursor}`).set(bearer(ctx().a)).expect(200);
      expect(page3.body).toEqual({ items: [expect.objectContaining({ name: 'tmp-x' })], nextCursor: null });
      await put(ctx().a, 'tmp-x', 'a.txt', Buffer.from('x')).expect(200);
      expectProblem(await http().delete('/api/v1/storage/buckets/tmp-x').set(bearer(ctx().a)), 409, 'STORAGE.BUCKET_NOT_EMPTY');
      expect((await http().get('/api/v1/storage/buckets/tmp-x').set(bearer(ctx().a)).expect(200)).body).toMatchObject({ objects: 1, bytes: 1 });
      await http().delete(`${objects('tmp-x')}/a.txt`).set(bearer(ctx().a)).expect(204);
      await http().delete('/api/v1/storage/buckets/tmp-x').set(bearer(ctx().a)).expect(204);
      expectProblem(await http().get('/api/v1/storage/buckets/tmp-x').set(bearer(ctx().a)), 404, 'STORAGE.BUCKET_NOT_FOUND');
      expectProblem(await http().put('/api/v1/storage/buckets/Bad_Name').set(bearer(ctx().a)), 400, 'STORAGE.INVALID_BUCKET_NAME');
    });
  });

  describe('objects', () => {
    it('put / head / get / delete with Content-Type, Content-Length and a sha256 ETag; HEAD reads no bytes', async () => {
      const body = randomBytes(10_000);
      const res = await put(ctx().a, 'docs', 'reports/q3 final.pdf', body, { 'content-type': 'application/pdf' }).expect(200);
      expect(res.headers.etag).toBe(`"${sha(body)}"`);
      expect(res.body).toMatchObject({ bucket: 'docs', key: 'reports/q3 final.pdf', size: 10_000, sha256: sha(body), contentType: 'application/pdf', version: 1 });
      const head = await http().head(`${objects('docs')}/${enc('reports/q3 final.pdf')}`).set(bearer(ctx().a)).expect(200);
      expect(head.headers).toMatchObject({ etag: `"${sha(body)}"`, 'content-length': '10000', 'content-type': 'application/pdf', 'accept-ranges': 'bytes' });
      const get = await http().get(`${objects('docs')}/${enc('reports/q3 final.pdf')}`).set(bearer(ctx().a)).buffer(true).parse(binary).expect(200);
      expect(sha(get.body as Buffer)).toBe(sha(body));
      await http().delete(`${objects('docs')}/${enc('reports/q3 final.pdf')}`).set(bearer(ctx().a)).expect(204);
      expectProblem(await http().get(`${objects('docs')}/${enc('reports/q3 final.pdf')}`).set(bearer(ctx().a)), 404, 'STORAGE.OBJECT_NOT_FOUND');
      expect((await http().head(`${objects('docs')}/${enc('reports/q3 final.pdf')}`).set(bearer(ctx().a))).status).toBe(404);
      expectProblem(await http().delete(`${objects('docs')}/${enc('reports/q3 final.pdf')}`).set(bearer(ctx().a)), 404);
    });

    it('an empty object, and an overwrite that bumps the version', async () => {
      await put(ctx().a, 'docs', 'empty', Buffer.alloc(0)).expect(200);
      const got = await http().get(`${objects('docs')}/empty`).set(bearer(ctx().a)).buffer(true).parse(binary).expect(200);
      expect((got.body as Buffer).length).toBe(0);
      const v2 = await put(ctx().a, 'docs', 'empty', Buffer.from('now full')).expect(200);
      expect(v2.body.version).toBe(2);
    });

    it('Range: 206 with Content-Range, suffix and open ranges, 416 outside', async () => {
      const body = Buffer.from('0123456789abcdefghij');
      await put(ctx().a, 'docs', 'range.txt', body).expect(200);
      const get = (range: string) => http().get(`${objects('docs')}/range.txt`).set(bearer(ctx().a)).set('range', range).buffer(true).parse(binary);
      const r1 = await get('bytes=2-5');
      expect([r1.status, r1.headers['content-range'], (r1.body as Buffer).toString()]).toEqual([206, 'bytes 2-5/20', '2345']);
      const r2 = await get('bytes=-3');
      expect([r2.status, (r2.body as Buffer).toString()]).toEqual([206, 'hij']);
      const r3 = await get('bytes=15-');
      expect([r3.status, r3.headers['content-length'], (r3.body as Buffer).toString()]).toEqual([206, '5', 'fghij']);
      const r4 = await get('bytes=10-999');
      expect([r4.status, r4.headers['content-range']]).toEqual([206, 'bytes 10-19/20']);
      const bad = await http().get(`${objects('docs')}/range.txt`).set(bearer(ctx().a)).set('range', 'bytes=20-30');
      expectProblem(bad, 416, 'STORAGE.RANGE_NOT_SATISFIABLE');
      expect(bad.headers['content-range']).toBe('bytes */20');
    });

    it('preconditions: If-None-Match * creates only, If-Match replaces only the version seen, GET 304', async () => {
      const v1 = Buffer.from('v1');
      const r1 = await put(ctx().a, 'pre', 'k', v1, { 'if-none-match': '*' }).expect(200);
      expectProblem(await put(ctx().a, 'pre', 'k', Buffer.from('other'), { 'if-none-match': '*' }), 412, 'STORAGE.PRECONDITION_FAILED');
      expectProblem(await put(ctx().a, 'pre', 'k', Buffer.from('v2'), { 'if-match': `"${'0'.repeat(64)}"` }), 412);
      await put(ctx().a, 'pre', 'k', Buffer.from('v2'), { 'if-match': r1.headers.etag }).expect(200);
      expectProblem(await put(ctx().a, 'pre', 'never', Buffer.from('x'), { 'if-match': '*' }), 412);
      const current = await http().head(`${objects('pre')}/k`).set(bearer(ctx().a)).expect(200);
      await http().get(`${objects('pre')}/k`).set(bearer(ctx().a)).set('if-none-match', current.headers.etag).expect(304);
      expectProblem(await http().get(`${objects('pre')}/k`).set(bearer(ctx().a)).set('if-match', r1.headers.etag), 412);
      expectProblem(await http().delete(`${objects('pre')}/k`).set(bearer(ctx().a)).set('if-match', r1.headers.etag), 412);
      await http().delete(`${objects('pre')}/k`).set(bearer(ctx().a)).set('if-match', current.headers.etag).expect(204);
    });

    it('lists with prefix, delimiter and cursor paging in byte order', async () => {
      const keys = ['a/1', 'a/2', 'a/b/3', 'b', 'c/x', 'c/y', 'd', 'é'];
      for (const k of keys) await put(ctx().a, 'list', k, Buffer.from(k)).expect(200);
      const list = (q: string) => http().get(`${objects('list')}?${q}`).set(bearer(ctx().a)).expect(200);
      const all: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await list(`limit=3${cursor ? `&cursor=${cursor}` : ''}`);
        all.push(...page.body.items.map((o: { key: string }) => o.key));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(all).toEqual(keys);
      const top = await list('delimiter=/');
      expect([top.body.items.map((o: { key: string }) => o.key), top.body.prefixes]).toEqual([['b', 'd', 'é'], ['a/', 'c/']]);
      const paged1 = await list('delimiter=/&limit=2');
      expect([paged1.body.items.map((o: { key: string }) => o.key), paged1.body.prefixes]).toEqual([['b'], ['a/']]);
      const paged2 = await list(`delimiter=/&limit=2&cursor=${paged1.body.nextCursor}`);
      expect([paged2.body.items.map((o: { key: string }) => o.key), paged2.body.prefixes]).toEqual([['d'], ['c/']]);
      const paged3 = await list(`delimiter=/&limit=2&cursor=${paged2.body.nextCursor}`);
      expect([paged3.body.items.map((o: { key: string }) => o.key), paged3.body.prefixes, paged3.body.nextCursor]).toEqual([['é'], [], null]);
      const inA = await list('prefix=a/&delimiter=/');
      expect([inA.body.items.map((o: { key: string }) => o.key), inA.body.prefixes]).toEqual([['a/1', 'a/2'], ['a/b/']]);
      expectProblem(await http().get(`${objects('list')}?cursor=bogus`).set(bearer(ctx().a)), 400, 'STORAGE.INVALID_CURSOR');
    });

    it('bad keys and bodies: traversal (literal and encoded), NUL, over-long, missing or wrong Content-Length: 4xx, never 500', async () => {
      for (const path of ['../etc/passwd', 'a/../../b', '%2e%2e/x', '..%2fx', '%2e%2e%2fx', 'a/./b', '%00x', 'x%00', 'a%5c..%5cb', '%252e%252e%252fx']) {
        const res = await http().put(`${objects('docs')}/${path}`).set(bearer(ctx().a)).set('content-type', 'text/plain').send('x');
        expect({ path, status: res.status }).toEqual({ path, status: 400 });
        expect(res.body.code).toMatch(/^(STORAGE\.INVALID_KEY|HTTP\.BAD_URL)$/);
      }
      expectProblem(await put(ctx().a, 'docs', 'k'.repeat(1025), Buffer.from('x')), 400, 'STORAGE.INVALID_KEY');
      expectProblem(await http().get(`${objects('docs')}/%FF`).set(bearer(ctx().a)), 400);
      const chunked = await putStream(ctx().url, `${objects('docs')}/chunked`, Readable.from([Buffer.from('abc')]), 3, { authorization: `Bearer ${ctx().a}`, 'content-length': '', 'transfer-encoding': 'chunked' }).catch(() => ({ status: 0, body: '' }));
      expect(chunked.status).toBe(411);
      await abortedUpload(ctx().url, `${objects('docs')}/half`, ctx().a, 4 * 1024 * 1024);
      // Nothing half-visible after a dropped client: not in HEAD, not in a listing.
      await waitFor(async () => (await http().head(`${objects('docs')}/half`).set(bearer(ctx().a))).status === 404 || undefined, 5000);
      const listed = await http().get(`${objects('docs')}?prefix=half`).set(bearer(ctx().a)).expect(200);
      expect(listed.body.items).toEqual([]);
      // The server is fine afterwards.
      await put(ctx().a, 'docs', 'after-abort', Buffer.from('ok')).expect(200);
      expectProblem(await http().put(`${objects('docs')}/x`).set(bearer(ctx().a)).set('content-type', 'not a type').send('x'), 400, 'STORAGE.INVALID_CONTENT_TYPE');
    });
  });

  describe('streaming', () => {
    it('a 64 MiB multipart upload: parts, list parts, complete; GET streams it back with the whole-object ETag', async () => {
      const part = 16 * 1024 * 1024;
      const create = await http().post('/api/v1/storage/buckets/big/uploads').set(bearer(ctx().a)).send({ key: 'video.bin', contentType: 'video/mp4' }).expect(201);
      const id = create.body.uploadId as string;
      const whole = createHash('sha256');
      const parts: Buffer[] = [];
      for (let n = 1; n <= 4; n++) parts.push(Buffer.from(generatedBytes(part, n)));
      for (const p of parts) whole.update(p);
      // Out of order, and part 2 uploaded twice (the second replaces the first).
      for (const n of [2, 1, 3, 2, 4]) {
        const res = await putStream(ctx().url, `/api/v1/storage/buckets/big/uploads/${id}/parts/${n}`, Readable.from([parts[n - 1]]), part, { authorization: `Bearer ${ctx().a}` });
        expect(res.status).toBe(200);
      }
      const listed = await http().get(`/api/v1/storage/buckets/big/uploads/${id}/parts`).set(bearer(ctx().a)).expect(200);
      expect(listed.body.parts.map((p: { partNumber: number; size: number }) => [p.partNumber, p.size])).toEqual([1, 2, 3, 4].map((n) => [n, part]));
      expectProblem(await http().post(`/api/v1/storage/buckets/big/uploads/${id}/complete`).set(bearer(ctx().a)).send({ parts: [2, 1] }), 400, 'STORAGE.INVALID_PARTS');
      const done = await http().post(`/api/v1/storage/buckets/big/uploads/${id}/complete`).set(bearer(ctx().a)).send({}).expect(200);
      const expected = whole.digest('hex');
      expect(done.body).toMatchObject({ key: 'video.bin', size: 4 * part, sha256: expected, contentType: 'video/mp4' });
      const got = await getHashed(ctx().url, `${objects('big')}/video.bin`, { authorization: `Bearer ${ctx().a}` });
      expect(got).toEqual({ status: 200, size: 4 * part, sha256: expected });
      // A range across the boundary of parts 1 and 2.
      const r = await http().get(`${objects('big')}/video.bin`).set(bearer(ctx().a)).set('range', `bytes=${part - 5}-${part + 4}`).buffer(true).parse(binary).expect(206);
      expect(r.body).toEqual(Buffer.concat([parts[0].subarray(part - 5), parts[1].subarray(0, 5)]));
      expectProblem(await http().post(`/api/v1/storage/buckets/big/uploads/${id}/complete`).set(bearer(ctx().a)).send({}), 409, 'STORAGE.UPLOAD_NOT_OPEN');
      const aborted = await http().post('/api/v1/storage/buckets/big/uploads').set(bearer(ctx().a)).send({ key: 'gone.bin' }).expect(201);
      await putStream(ctx().url, `/api/v1/storage/buckets/big/uploads/${aborted.body.uploadId}/parts/1`, Readable.from([Buffer.from('abc')]), 3, { authorization: `Bearer ${ctx().a}` });
      await http().delete(`/api/v1/storage/buckets/big/uploads/${aborted.body.uploadId}`).set(bearer(ctx().a)).expect(204);
      expect((await http().head(`${objects('big')}/gone.bin`).set(bearer(ctx().a))).status).toBe(404);
    });

    it('a streamed 32 MiB PUT round-trips byte for byte', async () => {
      const g = generated(32 * 1024 * 1024, 7);
      const res = await putStream(ctx().url, `${objects('big')}/streamed.bin`, g.stream(), 32 * 1024 * 1024, { authorization: `Bearer ${ctx().a}` });
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body).sha256).toBe(g.sha256);
      expect(await getHashed(ctx().url, `${objects('big')}/streamed.bin`, { authorization: `Bearer ${ctx().a}` })).toEqual({ status: 200, size: 32 * 1024 * 1024, sha256: g.sha256 });
    });
  });

  describe('signed URLs', () => {
    const sign = (bucket: string, key: string, method: string, expiresInSeconds?: number) =>
      http().post(`/api/v1/storage/buckets/${bucket}/signed-urls`).set(bearer(ctx().a)).send({ key, method, expiresInSeconds }).expect(201);

    it('GET and PUT without an API key, for exactly one key and method; tampered and expired ones refused', async () => {
      const up = await sign('docs', 'shared/in.txt', 'PUT');
      const putRes = await http().put(up.body.url).set('content-type', 'text/plain').send('uploaded by link').expect(200);
      expect(putRes.body.key).toBe('shared/in.txt');
      const down = await sign('docs', 'shared/in.txt', 'GET');
      const got = await http().get(down.body.url).buffer(true).parse(binary).expect(200);
      expect((got.body as Buffer).toString()).toBe('uploaded by link');
      await http().head(down.body.url).expect(200);
      // The GET signature does not allow a PUT, nor another key, bucket or namespace.
      expectProblem(await http().put(down.body.url.replace('method=GET', 'method=PUT')).send('x'), 403, 'STORAGE.SIGNATURE_INVALID');
      expectProblem(await http().put(down.body.url).send('x'), 403);
      expectProblem(await http().get(down.body.url.replace('shared/in.txt', 'shared/other.txt')), 403, 'STORAGE.SIGNATURE_INVALID');
      expectProblem(await http().get(down.body.url.replace('/team-a/', '/team-b/')), 403);
      expectProblem(await http().get(down.body.url.replace(/expires=\d+/, (m: string) => `expires=${Number(m.slice(8)) + 1000}`)), 403);
      expectProblem(await http().get(down.body.url.replace(/signature=[^&]+/, 'signature=' + 'A'.repeat(43))), 403);
      expectProblem(await http().get(down.body.url.replace(/&signature=[^&]+/, '')), 403);
      const soon = await sign('docs', 'shared/in.txt', 'GET', 1);
      await new Promise((r) => setTimeout(r, 2100));
      expectProblem(await http().get(soon.body.url), 403, 'STORAGE.SIGNED_URL_EXPIRED');
    });
  });

  describe('tenant isolation', () => {
    it("a key of namespace B gets 404 for A's buckets, objects and uploads on every route", async () => {
      await put(ctx().a, 'docs', 'secret.txt', Buffer.from('a-only')).expect(200);
      const upload = await http().post('/api/v1/storage/buckets/docs/uploads').set(bearer(ctx().a)).send({ key: 'u' }).expect(201);
      const b = bearer(ctx().b);
      const attempts: [string, request.Test][] = [
        ['get bucket', http().get('/api/v1/storage/buckets/docs').set(b)],
        ['delete bucket', http().delete('/api/v1/storage/buckets/docs').set(b)],
        ['list objects', http().get(`${objects('docs')}`).set(b)],
        ['get object', http().get(`${objects('docs')}/secret.txt`).set(b)],
        ['head object', http().head(`${objects('docs')}/secret.txt`).set(b)],
        ['put object', http().put(`${objects('docs')}/secret.txt`).set(b).set('content-type', 'text/plain').send('overwrite')],
        ['delete object', http().delete(`${objects('docs')}/secret.txt`).set(b)],
        ['create upload', http().post('/api/v1/storage/buckets/docs/uploads').set(b).send({ key: 'x' })],
        ['list parts', http().get(`/api/v1/storage/buckets/docs/uploads/${upload.body.uploadId}/parts`).set(b)],
        ['upload part', http().put(`/api/v1/storage/buckets/docs/uploads/${upload.body.uploadId}/parts/1`).set(b).set('content-type', 'application/octet-stream').send(Buffer.from('x'))],
        ['complete', http().post(`/api/v1/storage/buckets/docs/uploads/${upload.body.uploadId}/complete`).set(b).send({})],
        ['abort', http().delete(`/api/v1/storage/buckets/docs/uploads/${upload.body.uploadId}`).set(b)],
        ['sign', http().post('/api/v1/storage/buckets/docs/signed-urls').set(b).send({ key: 'secret.txt', method: 'GET' })],
      ];
      for (const [name, attempt] of attempts) expect({ name, status: (await attempt).status }).toEqual({ name, status: 404 });
      // B's own bucket of the same name is B's alone.
      await http().put('/api/v1/storage/buckets/docs').set(b).expect(201);
      expectProblem(await http().get(`${objects('docs')}/secret.txt`).set(b), 404, 'STORAGE.OBJECT_NOT_FOUND');
      expect((await http().get(`${objects('docs')}`).set(b).expect(200)).body.items).toEqual([]);
      const mine = await http().get(`${objects('docs')}/secret.txt`).set(bearer(ctx().a)).buffer(true).parse(binary).expect(200);
      expect((mine.body as Buffer).toString()).toBe('a-only');
      // A signed URL of A's key opens that key only.
      const link = await http().post('/api/v1/storage/buckets/docs/signed-urls').set(bearer(ctx().a)).send({ key: 'secret.txt', method: 'GET' }).expect(201);
      expectProblem(await http().get(link.body.url.replace('secret.txt', 'after-abort')), 403);
      await http().delete(`/api/v1/storage/buckets/docs/uploads/${upload.body.uploadId}`).set(bearer(ctx().a)).expect(204);
    });
  });

  describe('quotas', () => {
    it('bytes and object quotas refuse with 413 before a byte is stored; shrinking and deleting still work', async () => {
      const q = bearer(ctx().quota);
      await http().put('/api/v1/storage/buckets/quota').set(q).expect(201);
      const tooBig = await putStream(ctx().url, '/api/v1/storage/buckets/quota/objects/huge', generated(QUOTA_BYTES + 1).stream(), QUOTA_BYTES + 1, q);
      expect(tooBig.status).toBe(413);
      expect(JSON.parse(tooBig.body)).toMatchObject({ code: 'STORAGE.QUOTA_EXCEEDED', quota: 'bytes', limit: QUOTA_BYTES });
      await put(ctx().quota, 'quota', 'a', Buffer.alloc(QUOTA_BYTES - 10)).expect(200);
      expectProblem(await put(ctx().quota, 'quota', 'b', Buffer.alloc(11)), 413, 'STORAGE.QUOTA_EXCEEDED');
      await put(ctx().quota, 'quota', 'a', Buffer.alloc(100)).expect(200);
      await put(ctx().quota, 'quota', 'b', Buffer.alloc(1)).expect(200);
      await put(ctx().quota, 'quota', 'c', Buffer.alloc(1)).expect(200);
      const res = await put(ctx().quota, 'quota', 'd', Buffer.alloc(1));
      expectProblem(res, 413, 'STORAGE.QUOTA_EXCEEDED');
      expect(res.body).toMatchObject({ quota: 'objects', limit: QUOTA_OBJECTS });
      // Replacing an existing object is not a new object.
      await put(ctx().quota, 'quota', 'c', Buffer.alloc(2)).expect(200);
      // Multipart parts count as stored bytes.
      const up = await http().post('/api/v1/storage/buckets/quota/uploads').set(q).send({ key: 'mp' }).expect(201);
      const part = await putStream(ctx().url, `/api/v1/storage/buckets/quota/uploads/${up.body.uploadId}/parts/1`, generated(QUOTA_BYTES).stream(), QUOTA_BYTES, q);
      expect(part.status).toBe(413);
      await http().delete('/api/v1/storage/buckets/quota/objects/a').set(q).expect(204);
      await put(ctx().quota, 'quota', 'd', Buffer.alloc(1)).expect(200);
    });
  });
}

function generatedBytes(size: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  let block = createHash('sha512').update(String(seed)).digest();
  for (let o = 0; o < size; o += block.length) {
    block.copy(out, o, 0, Math.min(block.length, size - o));
    if ((o & 0xffff) === 0) block = createHash('sha512').update(block).digest();
  }
  return out;
}

function binary(res: request.Response, cb: (err: Error | null, body: Buffer) => void): void {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => cb(null, Buffer.concat(chunks)));
}
