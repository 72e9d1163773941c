import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { parse, stringify } from 'yaml';
import { loadConfig } from '@cave/config';
import { createApp } from '../apps/cave-daemon/src/bootstrap/create-app';
import { buildOpenApiDocument } from '../apps/cave-daemon/src/bootstrap/swagger';

type Operation = { security?: unknown[]; responses: Record<string, { content?: Record<string, unknown> }>; parameters?: { name: string; in: string }[] };
type Doc = { paths: Record<string, Record<string, Operation>> };

// Signed storage URLs carry their own authorisation (an HMAC over one key and method), never an API key.
/** Keyless by design: probes, signed storage URLs (their own HMAC), the peer rotation receiver (its webhook signature). */
const PUBLIC = ['/healthz', '/metrics', '/api/v1/storage/signed/{namespace}/{bucket}/{path}', '/api/v1/auth/keys/rotated'];

/**
 * Runs @apidevtools/swagger-parser in a plain Node process: its ref parser ships as ESM, which
 * Node loads with require(esm) but jest's CommonJS module system cannot.
 */
async function validateWithSwaggerParser(doc: unknown): Promise<{ ok: boolean; message: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'cave-openapi-'));
  const file = join(dir, 'openapi.json');
  writeFileSync(file, JSON.stringify(doc));
  const script = `require('@apidevtools/swagger-parser').validate(require(process.argv[1]))
    .then(() => process.stdout.write('valid'), (e) => { process.stdout.write(e.message); process.exitCode = 1; })`;
  try {
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script, file], { cwd: join(__dirname, '..') });
    return { ok: true, message: stdout };
  } catch (e) {
    return { ok: false, message: String((e as { stdout?: string }).stdout ?? e) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** The committed OpenAPI document: valid for an independent validator, complete, and not stale. */
describe('openapi/openapi.yaml', () => {
  let app: NestFastifyApplication;
  let generated: Doc;
  const committedText = readFileSync(join(__dirname, '../openapi/openapi.yaml'), 'utf8');
  const committed = parse(committedText) as Doc;

  beforeAll(async () => {
    // Same construction as `npm run openapi`: no database needed.
    const unused = 'postgres://openapi@127.0.0.1:1/none';
    app = await createApp(loadConfig({ LOG_LEVEL: 'silent' }), { appUrl: unused, adminUrl: unused }, { silent: true });
    generated = buildOpenApiDocument(app) as unknown as Doc;
  });
  afterAll(() => app.close());

  const operations = (doc: Doc) =>
    Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).filter(([m]) => METHODS.includes(m)).map(([method, op]) => ({ path, method, op })));

  it('is what the code generates (run `npm run openapi` after changing an API)', () => {
    expect(committedText).toBe(stringify(generated, { sortMapEntries: false, lineWidth: 0, aliasDuplicateObjects: false }));
  });

  it('passes @apidevtools/swagger-parser validation (schema + semantics, all $refs resolve)', async () => {
    expect(await validateWithSwaggerParser(committed)).toEqual({ ok: true, message: 'valid' });
  });

  it('the validator does reject a broken document (the check can fail)', async () => {
    const broken = structuredClone(committed) as Doc & { components: { schemas: Record<string, unknown> } };
    delete broken.components.schemas.SandboxDto;
    const result = await validateWithSwaggerParser(broken);
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/SandboxDto/);
  });

  it('requires the bearer API key on every operation except /healthz and /metrics', () => {
    const doc = committed as Doc & { components: { securitySchemes: Record<string, { type: string; scheme: string }> } };
    expect(doc.components.securitySchemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    const ops = operations(committed);
    expect(ops.length).toBeGreaterThan(10);
    for (const { path, method, op } of ops) {
      if (PUBLIC.includes(path)) {
        expect({ path, method, security: op.security ?? [] }).toEqual({ path, method, security: [] });
      } else {
        expect({ path, method, security: op.security }).toEqual({ path, method, security: [{ apiKey: [] }] });
        expect({ path, method, has401: '401' in op.responses }).toEqual({ path, method, has401: true });
      }
    }
  });

  it('documents the sandbox, history and error contracts', () => {
    const paths = Object.keys(committed.paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/v1/sandboxes',
        '/api/v1/sandboxes/{id}',
        '/api/v1/sandboxes/{id}/start',
        '/api/v1/sandboxes/{id}/stop',
        '/api/v1/sandboxes/{id}/events',
        '/api/v1/admin/events',
      ]),
    );
    for (const { path, op } of operations(committed).filter((o) => o.path.startsWith('/api/v1/sandboxes') || o.path.startsWith('/api/v1/admin'))) {
      for (const [status, res] of Object.entries(op.responses)) {
        if (Number(status) >= 400) expect({ path, status, types: Object.keys(res.content ?? {}) }).toEqual({ path, status, types: ['application/problem+json'] });
      }
    }
    // MCP is not REST, but operators look here first: documented, authenticated, JSON-RPC error bodies.
    const mcp = committed.paths['/mcp'].post;
    expect(Object.keys(mcp.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '406', '413']));
    expect(Object.keys(mcp.responses['401'].content ?? {})).toEqual(['application/json']);
    const create = committed.paths['/api/v1/sandboxes'].post;
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '413', '415', '422']));
    expect(create.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'Idempotency-Key', in: 'header' })]));
    const start = committed.paths['/api/v1/sandboxes/{id}/start'].post;
    expect(Object.keys(start.responses)).toEqual(expect.arrayContaining(['200', '404', '409', '412']));
    expect(start.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'If-Match', in: 'header' })]));
    expect(Object.keys(committed.paths['/api/v1/admin/events'].get.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403']));
  });
});
