import { randomUUID } from 'node:crypto';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import request from 'supertest';
import { startTestApp, TestApp, waitFor } from '@cave/testing';
import { createApp } from '../apps/cave-daemon/src/bootstrap/create-app';
import { failure, mcpClient, ok, rawRpc } from './support/mcp-client';

jest.setTimeout(60_000);

const ADMIN = 'cave_sk_' + 'm'.repeat(40);
const IDEMPOTENCY = 'dev.cave/idempotency-key';

interface Sandbox {
  id: string;
  namespace: string;
  name: string;
  state: string;
  version: number;
  limits: Record<string, number>;
}
interface Exec {
  execId: string;
  exitCode: number;
  stdout: string;
  stderr: string;
  truncated: boolean;
  error?: { code: string };
}
interface EventItem {
  eventId: string;
  type: string;
  streamVersion: number;
  metadata: Record<string, unknown>;
}

/** AI agents over the Model Context Protocol: the official SDK client against the listening daemon. */
describe('/mcp (e2e, MCP SDK client)', () => {
  let t: TestApp;
  let a: { id: string; key: string };
  let b: { id: string; key: string };
  let clientA: Client;
  let clientB: Client;
  const spec = { name: 'agent-box', runtime: 'javascript', mode: 'persistent' };

  beforeAll(async () => {
    t = await startTestApp(createApp, { CAVE_BOOTSTRAP_ADMIN_KEY: ADMIN, CAVE_BODY_LIMIT_BYTES: '16384', CAVE_SANDBOX_WORKERS: '2' });
    const issue = async (namespace: string) =>
      (await request(t.url).post('/api/v1/auth/keys').set('authorization', `Bearer ${ADMIN}`).send({ namespace, name: `${namespace}-mcp`, role: 'member' }).expect(201))
        .body as { id: string; key: string };
    [a, b] = [await issue('team-a'), await issue('team-b')];
    [clientA, clientB] = [await mcpClient(t.url, a.key), await mcpClient(t.url, b.key)];
  });
  afterAll(async () => {
    await clientA?.close();
    await clientB?.close();
    await t?.close();
  });

  const create = async (client: Client, args: object = spec, meta?: Record<string, unknown>) =>
    ok<{ sandbox: Sandbox; replayed: boolean }>(await client.callTool({ name: 'sandbox_create', arguments: args as Record<string, unknown>, ...(meta && { _meta: meta }) }));
  const call = (client: Client, name: string, args: Record<string, unknown>) => client.callTool({ name, arguments: args });

  it('initializes and lists the tools with JSON schemas derived from the sandbox rules', async () => {
    expect(clientA.getServerVersion()).toMatchObject({ name: 'cave' });
    expect(clientA.getServerCapabilities()).toMatchObject({ tools: {}, resources: {} });
    const { tools } = await clientA.listTools();
    expect(tools.map((x) => x.name).sort()).toEqual([
      'sandbox_create',
      'sandbox_delete',
      'sandbox_exec',
      'sandbox_fork',
      'sandbox_get',
      'sandbox_history',
      'sandbox_list',
      'sandbox_restore',
      'sandbox_snapshot',
      'sandbox_start',
      'sandbox_stop',
    ]);
    expect(tools.find((x) => x.name === 'sandbox_exec')!.inputSchema).toMatchObject({ properties: { code: { maxLength: 1048576 }, args: { maxItems: 256 } } });
    for (const tool of tools) expect(tool).toMatchObject({ description: expect.any(String), inputSchema: { type: 'object', properties: expect.any(Object) } });
    const createTool = tools.find((x) => x.name === 'sandbox_create')!;
    // The bounds come from LIMIT_BOUNDS and NAME_RULE, the same the REST DTO enforces.
    expect(createTool.inputSchema).toMatchObject({
      required: ['name', 'runtime', 'mode'],
      properties: {
        name: { maxLength: 100 },
        runtime: { enum: ['javascript', 'wasi'] },
        limits: { properties: { memoryMb: { minimum: 1, maximum: 1024, default: 64 }, timeoutMs: { maximum: 60000 } } },
        labels: { maxProperties: 32 },
      },
    });
    expect(tools.find((x) => x.name === 'sandbox_list')!.inputSchema).toMatchObject({ properties: { limit: { maximum: 100 } } });
    expect(tools.find((x) => x.name === 'sandbox_get')!.annotations).toMatchObject({ readOnlyHint: true });
  });

  it('create -> start -> stop -> delete, every result checked; the same events, channel "mcp", and audit entries', async () => {
    const created = await create(clientA, { ...spec, limits: { memoryMb: 128 }, labels: { via: 'mcp' } });
    expect(created).toEqual({ sandbox: expect.objectContaining({ namespace: 'team-a', name: 'agent-box', state: 'created', version: 1, createdBy: a.id }), replayed: false });
    expect(created.sandbox.limits).toEqual({ memoryMb: 128, timeoutMs: 5000, maxOutputBytes: 65536 });
    const id = created.sandbox.id;

    const started = await call(clientA, 'sandbox_start', { id });
    expect(ok<{ sandbox: Sandbox }>(started).sandbox).toMatchObject({ id, state: 'running', version: 2 });
    expect((started.content as { text: string }[])[0].text).toContain('running');
    expect(ok<{ sandbox: Sandbox }>(await call(clientA, 'sandbox_get', { id })).sandbox).toMatchObject({ state: 'running', version: 2 });
    expect(ok<{ items: Sandbox[] }>(await call(clientA, 'sandbox_list', { state: 'running' })).items.map((s) => s.id)).toContain(id);
    expect(ok<{ sandbox: Sandbox }>(await call(clientA, 'sandbox_stop', { id })).sandbox).toMatchObject({ state: 'stopped', version: 3 });
    expect(ok<{ sandbox: Sandbox }>(await call(clientA, 'sandbox_delete', { id, expectedVersion: 3 })).sandbox).toMatchObject({ state: 'deleted', version: 4 });

    const history = ok<{ items: EventItem[] }>(await call(clientA, 'sandbox_history', { id })).items;
    expect(history.map((e) => e.type)).toEqual(['sandbox_created', 'sandbox_started', 'sandbox_stopped', 'sandbox_deleted']);
    for (const e of history) expect(e.metadata).toMatchObject({ actor: a.id, channel: 'mcp', correlationId: expect.any(String) });
    // REST sees the same stream; its own commands are recorded with channel "http".
    const rest = await request(t.url).get(`/api/v1/sandboxes/${id}/events`).set('authorization', `Bearer ${a.key}`).expect(200);
    expect(rest.body.items.map((e: EventItem) => e.eventId)).toEqual(history.map((e) => e.eventId));
    const viaRest = await request(t.url).post('/api/v1/sandboxes').set('authorization', `Bearer ${a.key}`).send(spec).expect(201);
    const restEvents = await request(t.url).get(`/api/v1/sandboxes/${viaRest.body.id}/events`).set('authorization', `Bearer ${a.key}`).expect(200);
    expect(restEvents.body.items[0].metadata).toMatchObject({ channel: 'http' });
    // The audit log is derived from the same events: one entry each, with the MCP caller as actor.
    const entry = await waitFor(async () => {
      const res = await request(t.url).get(`/api/v1/audit/entries/${history[3].eventId}/proof`).set('authorization', `Bearer ${a.key}`);
      return res.status === 200 ? res.body.entry : undefined;
    }, 15_000, 'audit entry of an MCP event');
    expect(entry).toMatchObject({ eventType: 'sandbox_deleted', actor: a.id, namespace: 'team-a' });
  });

  it('create -> start -> exec -> snapshot -> exec -> restore -> exec -> fork -> stop -> delete; exec output as progress', async () => {
    const { sandbox } = await create(clientA, { name: 'exec-box', runtime: 'javascript', mode: 'persistent', limits: { memoryMb: 32 } });
    const id = sandbox.id;
    expect(ok<{ sandbox: Sandbox }>(await call(clientA, 'sandbox_start', { id })).sandbox.state).toBe('running');
    const progress: string[] = [];
    const first = ok<Exec>(
      await clientA.callTool(
        { name: 'sandbox_exec', arguments: { id, code: 'var n = 1; for (let i = 0; i < 3; i++) console.log("tick " + i); console.log("n=" + n)' } },
        undefined,
        { onprogress: (p) => void progress.push(p.message ?? '') },
      ),
    );
    expect(first).toMatchObject({ exitCode: 0, stdout: 'tick 0\ntick 1\ntick 2\nn=1\n', stderr: '', truncated: false, execId: expect.any(String) });
    // The output arrived as MCP progress notifications on the call's own stream, before its result.
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.map((m) => m.replace(/^stdout: /, '')).join('')).toBe(first.stdout);
    const snapshot = ok<{ snapshot: { snapshotId: string; sandboxId: string } }>(await call(clientA, 'sandbox_snapshot', { id })).snapshot;
    expect(snapshot).toMatchObject({ sandboxId: id, snapshotId: expect.any(String) });
    expect(ok<Exec>(await call(clientA, 'sandbox_exec', { id, code: 'n = 42; console.log("n=" + n)' })).stdout).toBe('n=42\n');
    expect(ok(await call(clientA, 'sandbox_restore', { id, snapshotId: snapshot.snapshotId }))).toMatchObject({ snapshotId: snapshot.snapshotId, stateVersion: expect.any(Number) });
    expect(ok<Exec>(await call(clientA, 'sandbox_exec', { id, code: 'console.log("n=" + n)' })).stdout).toBe('n=1\n');
    // A guest failure is a result with `error`; a domain failure is a tool error with its code.
    expect(ok<Exec>(await call(clientA, 'sandbox_exec', { id, code: 'throw new Error("boom")' }))).toMatchObject({ exitCode: 1, error: { code: 'RUNTIME_ERROR' } });
    expect(failure(await call(clientA, 'sandbox_exec', { id, code: 1 }))).toMatchObject({ code: 'HTTP.VALIDATION' });
    expect(failure(await call(clientA, 'sandbox_exec', { id, code: 'x', timeoutMs: 999_999 }))).toMatchObject({ code: 'SANDBOX.POLICY_VIOLATION' });
    const fork = ok<{ sandbox: Sandbox & { mode: string } }>(await call(clientA, 'sandbox_fork', { id, snapshotId: snapshot.snapshotId })).sandbox;
    expect(fork).toMatchObject({ state: 'created', mode: 'persistent' });
    // B reaches none of it.
    for (const [name, args] of [['sandbox_exec', { id, code: '1' }], ['sandbox_snapshot', { id }], ['sandbox_restore', { id, snapshotId: snapshot.snapshotId }], ['sandbox_fork', { id, snapshotId: snapshot.snapshotId }]] as const) {
      expect(failure(await call(clientB, name, args))).toMatchObject({ code: 'SANDBOX.NOT_FOUND' });
    }
    expect(ok<{ sandbox: Sandbox }>(await call(clientA, 'sandbox_stop', { id })).sandbox.state).toBe('stopped');
    expect(failure(await call(clientA, 'sandbox_exec', { id, code: '1' }))).toMatchObject({ code: 'SANDBOX.NOT_RUNNING' });
    expect(ok<{ sandbox: Sandbox }>(await call(clientA, 'sandbox_delete', { id })).sandbox.state).toBe('deleted');
    const runtime = await request(t.url).get(`/api/v1/admin/events?streamId=sandbox-runtime-${id}`).set('authorization', `Bearer ${ADMIN}`).expect(200);
    const types = (runtime.body.items as EventItem[]).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['sandbox_exec', 'sandbox_snapshot_created', 'sandbox_restored']));
    for (const e of runtime.body.items as EventItem[]) expect(e.metadata).toMatchObject({ actor: a.id, channel: 'mcp' });
  });

  it('reads both resources and lists them for the namespace', async () => {
    const { sandbox } = await create(clientA, { ...spec, name: 'resource-box' });
    await call(clientA, 'sandbox_start', { id: sandbox.id });
    const state = await clientA.readResource({ uri: `cave://sandboxes/${sandbox.id}` });
    expect(state.contents[0]).toMatchObject({ uri: `cave://sandboxes/${sandbox.id}`, mimeType: 'application/json' });
    expect(JSON.parse((state.contents[0] as { text: string }).text)).toMatchObject({ id: sandbox.id, state: 'running', version: 2 });
    const events = await clientA.readResource({ uri: `cave://sandboxes/${sandbox.id}/events` });
    expect(JSON.parse((events.contents[0] as { text: string }).text).items.map((e: EventItem) => e.type)).toEqual(['sandbox_created', 'sandbox_started']);
    const { resources } = await clientA.listResources();
    expect(resources.map((r) => r.uri)).toEqual(expect.arrayContaining([`cave://sandboxes/${sandbox.id}`, `cave://sandboxes/${sandbox.id}/events`]));
    const { resourceTemplates } = await clientA.listResourceTemplates();
    expect(resourceTemplates.map((r) => r.uriTemplate)).toEqual(['cave://sandboxes/{id}', 'cave://sandboxes/{id}/events']);
    await expect(clientA.readResource({ uri: 'cave://elsewhere/x' })).rejects.toMatchObject({ code: -32002, data: { code: 'MCP.UNKNOWN_RESOURCE' } });
  });

  it('a tool error is an isError result carrying the domain code', async () => {
    const { sandbox } = await create(clientA, { ...spec, name: 'error-box' });
    expect(failure(await call(clientA, 'sandbox_stop', { id: sandbox.id }))).toMatchObject({ code: 'SANDBOX.INVALID_TRANSITION', kind: 'conflict', state: 'created', action: 'stop' });
    expect(failure(await call(clientA, 'sandbox_get', { id: randomUUID() }))).toMatchObject({ code: 'SANDBOX.NOT_FOUND', kind: 'not_found' });
    expect(failure(await call(clientA, 'sandbox_start', { id: sandbox.id, expectedVersion: 7 }))).toMatchObject({ code: 'HTTP.PRECONDITION_FAILED' });
    const invalid = failure(await call(clientA, 'sandbox_create', { ...spec, limits: { memoryMb: 5000 }, extra: 1 }));
    expect(invalid).toMatchObject({ code: 'HTTP.VALIDATION', kind: 'invalid' });
    expect((invalid.errors as { field: string }[]).map((e) => e.field).sort()).toEqual(['extra', 'limits.memoryMb']);
    expect(failure(await call(clientA, 'sandbox_get', { id: 'not-a-uuid' }))).toMatchObject({ code: 'HTTP.VALIDATION' });
    // Nothing was appended by the failed calls.
    expect(ok<{ sandbox: Sandbox }>(await call(clientA, 'sandbox_get', { id: sandbox.id })).sandbox.version).toBe(1);
    const metrics = (await request(t.url).get('/metrics').set('authorization', `Bearer ${ADMIN}`).expect(200)).text;
    expect(metrics).toMatch(/cave_mcp_tool_call_seconds_count\{tool="sandbox_stop",outcome="conflict"\} [1-9]/);
    expect(metrics).toMatch(/cave_mcp_tool_call_seconds_count\{tool="sandbox_create",outcome="ok"\} [1-9]/);
  });

  it('a retried call does the work once: by _meta key, and by a unique JSON-RPC id', async () => {
    const key = `retry-${randomUUID()}`;
    const first = await create(clientA, { ...spec, name: 'retry-box' }, { [IDEMPOTENCY]: key });
    const again = await create(clientA, { ...spec, name: 'retry-box' }, { [IDEMPOTENCY]: key });
    expect(again).toEqual({ sandbox: first.sandbox, replayed: false });
    expect(failure(await clientA.callTool({ name: 'sandbox_create', arguments: { ...spec, name: 'other' }, _meta: { [IDEMPOTENCY]: key } }))).toMatchObject({
      code: 'HTTP.IDEMPOTENCY_KEY_REUSED',
    });
    const startKey = `start-${randomUUID()}`;
    const started = ok<{ sandbox: Sandbox }>(await clientA.callTool({ name: 'sandbox_start', arguments: { id: first.sandbox.id }, _meta: { [IDEMPOTENCY]: startKey } }));
    const startedAgain = ok<{ sandbox: Sandbox }>(await clientA.callTool({ name: 'sandbox_start', arguments: { id: first.sandbox.id }, _meta: { [IDEMPOTENCY]: startKey } }));
    expect(startedAgain.sandbox).toEqual(started.sandbox);
    const history = ok<{ items: EventItem[] }>(await call(clientA, 'sandbox_history', { id: first.sandbox.id })).items;
    expect(history.map((e) => e.type)).toEqual(['sandbox_created', 'sandbox_started']);
    expect(history[0].metadata).toMatchObject({ idempotencyKey: key });

    // A client that resends the same JSON-RPC request (a UUID id) after a lost response creates once.
    const rpcId = randomUUID();
    const message = { jsonrpc: '2.0', id: rpcId, method: 'tools/call', params: { name: 'sandbox_create', arguments: { ...spec, name: 'rpc-retry' } } };
    const [r1, r2] = [await rawRpc(t.url, message, { authorization: `Bearer ${a.key}` }), await rawRpc(t.url, message, { authorization: `Bearer ${a.key}` })];
    expect(r1.message.result?.structuredContent?.sandbox?.id).toEqual(expect.any(String));
    expect(r2.message.result?.structuredContent?.sandbox?.id).toBe(r1.message.result?.structuredContent?.sandbox?.id);
    // Small numeric ids repeat in every connection: they never merge two clients' calls.
    const other = await mcpClient(t.url, a.key);
    try {
      const x = await create(clientA, { ...spec, name: 'same-id' });
      const y = await create(other, { ...spec, name: 'same-id' });
      expect(x.sandbox.id).not.toBe(y.sandbox.id);
    } finally {
      await other.close();
    }
  });

  it('401 with WWW-Authenticate without a key or with a bad key; the SDK client cannot connect', async () => {
    const init = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } } };
    const none = await rawRpc(t.url, init, {});
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer realm="cave"');
    expect(none.message).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32600, data: { code: 'KEYS.UNAUTHORIZED' } } });
    const bad = await rawRpc(t.url, init, { authorization: `Bearer cave_sk_${'z'.repeat(40)}` });
    expect(bad.status).toBe(401);
    expect(bad.headers['www-authenticate']).toContain('error="invalid_token"');
    await expect(mcpClient(t.url)).rejects.toThrow();
  });

  it('a key of namespace B can neither see nor touch A\'s sandboxes through any tool or resource', async () => {
    const { sandbox } = await create(clientA, { ...spec, name: 'private-box' });
    const id = sandbox.id;
    for (const name of ['sandbox_get', 'sandbox_start', 'sandbox_stop', 'sandbox_delete', 'sandbox_history']) {
      expect(failure(await call(clientB, name, { id }))).toMatchObject({ code: 'SANDBOX.NOT_FOUND' });
    }
    expect(failure(await call(clientB, 'sandbox_start', { id, expectedVersion: 1 }))).toMatchObject({ code: 'SANDBOX.NOT_FOUND' });
    expect(ok<{ items: Sandbox[] }>(await call(clientB, 'sandbox_list', {})).items.map((s) => s.id)).not.toContain(id);
    for (const uri of [`cave://sandboxes/${id}`, `cave://sandboxes/${id}/events`]) {
      await expect(clientB.readResource({ uri })).rejects.toMatchObject({ code: -32002, data: { code: 'SANDBOX.NOT_FOUND' } });
    }
    expect((await clientB.listResources()).resources.map((r) => r.uri).filter((u) => u.includes(id))).toEqual([]);
    // B's idempotency key equal to A's does not reach A's sandbox either.
    const mine = await create(clientB, { ...spec, name: 'private-box' }, { [IDEMPOTENCY]: 'shared-key' });
    const theirs = await create(clientA, { ...spec, name: 'private-box' }, { [IDEMPOTENCY]: 'shared-key' });
    expect(mine.sandbox.id).not.toBe(theirs.sandbox.id);
    expect(ok<{ sandbox: Sandbox }>(await call(clientA, 'sandbox_get', { id })).sandbox).toMatchObject({ state: 'created', version: 1 });
  });

  describe('protocol edges (raw JSON-RPC): JSON-RPC errors, never a 500', () => {
    const auth = () => ({ authorization: `Bearer ${a.key}` });
    const callMsg = (params: unknown) => ({ jsonrpc: '2.0', id: 9, method: 'tools/call', params });

    it('wrong Accept is 406', async () => {
      const res = await rawRpc(t.url, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, { ...auth(), accept: 'application/json' });
      expect(res.status).toBe(406);
      expect(res.message).toMatchObject({ jsonrpc: '2.0', error: { code: expect.any(Number) } });
    });

    it('unknown tool, malformed params and unknown methods are JSON-RPC errors', async () => {
      expect((await rawRpc(t.url, callMsg({ name: 'no_such_tool', arguments: {} }), auth())).message).toMatchObject({ id: 9, error: { code: -32602, message: expect.stringContaining('no_such_tool') } });
      for (const params of [{ name: 5 }, { name: 'sandbox_get', arguments: 'x' }, { arguments: {} }]) {
        const res = await rawRpc(t.url, callMsg(params), auth());
        expect(res.status).toBe(200);
        expect(res.message).toMatchObject({ id: 9, error: { code: -32602 } });
      }
      expect((await rawRpc(t.url, { jsonrpc: '2.0', id: 3, method: 'resources/read', params: { uri: 7 } }, auth())).message).toMatchObject({ error: { code: -32602 } });
      expect((await rawRpc(t.url, { jsonrpc: '2.0', id: 4, method: 'no/such' }, auth())).message).toMatchObject({ id: 4, error: { code: -32601 } });
      const notRpc = await rawRpc(t.url, { hello: 'world' }, auth());
      expect(notRpc.status).toBe(400);
      expect(notRpc.message).toMatchObject({ error: { code: -32700 } });
    });

    it('a batch, bad JSON, an oversized or non-JSON body are JSON-RPC errors with a 4xx', async () => {
      const batch = await rawRpc(t.url, [{ jsonrpc: '2.0', id: 1, method: 'tools/list' }, { jsonrpc: '2.0', id: 2, method: 'tools/list' }], auth());
      expect(batch.status).toBe(400);
      expect(batch.message).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32600, data: { code: 'MCP.BATCH_NOT_SUPPORTED' } } });
      const badJson = await rawRpc(t.url, '{"jsonrpc":', auth());
      expect(badJson.status).toBe(400);
      expect(badJson.message).toMatchObject({ jsonrpc: '2.0', error: { code: -32700 } });
      const big = await rawRpc(t.url, callMsg({ name: 'sandbox_create', arguments: { ...spec, labels: { x: 'y'.repeat(20_000) } } }), auth());
      expect(big.status).toBe(413);
      expect(big.message).toMatchObject({ jsonrpc: '2.0', error: { code: -32600, data: { code: 'HTTP.PAYLOAD_TOO_LARGE' } } });
      const text = await rawRpc(t.url, 'hello', { ...auth(), 'content-type': 'text/plain' });
      expect(text.status).toBe(415);
      expect(text.message).toMatchObject({ jsonrpc: '2.0', error: { data: { code: 'HTTP.UNSUPPORTED_MEDIA_TYPE' } } });
    });

    it('GET and DELETE are 405 (stateless: no stream, no session)', async () => {
      for (const method of ['get', 'delete'] as const) {
        const res = await request(t.url)[method]('/mcp').set({ ...auth(), accept: 'text/event-stream' });
        expect(res.status).toBe(405);
        expect(res.headers.allow).toBe('POST');
      }
    });
  });
});
