import { createHash, randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import { Pool, PoolClient } from 'pg';
import { serveAsBenchChild } from '../support/server-process';

/**
 * The hand-written peers of the http benchmark (issue 18): what a developer would write with Fastify and `pg`
 * instead of CAVE, in its own process like the daemon. Every route checks the bearer key with one indexed
 * lookup (sha256 of the secret, active rows only: the same question `cave_authenticate_api_key` answers), then:
 *
 * - `POST /bare-min`: one autocommit INSERT of the event.
 * - `POST /bare-tx`: BEGIN, INSERT the event, INSERT the read-model row, COMMIT (four round trips: `pg` sends
 *   one query at a time).
 * - `GET /bare-read/:id`: one select of the read-model row by id, scoped to the key's namespace in its WHERE.
 *
 * It connects as the table owner (no RLS, no security-definer function, no idempotency or version check, no
 * audit, no projection followers): the peer does strictly less than CAVE. Fastify validates the body with a
 * JSON schema, as a Fastify user would. The pool size is CAVE_BENCH_POOL (the daemon's default, 20).
 */
serveAsBenchChild(async () => {
  const pool = new Pool({ connectionString: process.env.CAVE_BENCH_DB_URL, max: Number(process.env.CAVE_BENCH_POOL ?? 20), idleTimeoutMillis: 0 });
  pool.on('error', () => undefined);
  const app = Fastify({ logger: false });

  const principal = async (authorization: string | undefined): Promise<{ id: string; namespace: string } | undefined> => {
    const token = authorization?.startsWith('Bearer ') ? authorization.slice(7) : undefined;
    if (!token) return undefined;
    const hash = createHash('sha256').update(token).digest('hex');
    const { rows } = await pool.query<{ id: string; namespace: string }>('select id, namespace from api_keys where secret_sha256 = $1 and revoked_at is null', [hash]);
    return rows[0];
  };

  const body = {
    type: 'object',
    required: ['name', 'runtime', 'mode'],
    additionalProperties: false,
    properties: {
      name: { type: 'string', minLength: 1, maxLength: 100 },
      runtime: { type: 'string', enum: ['javascript', 'wasi'] },
      mode: { type: 'string', enum: ['quick', 'persistent'] },
      labels: { type: 'object', additionalProperties: { type: 'string', maxLength: 256 } },
    },
  } as const;
  interface Body {
    name: string;
    runtime: string;
    mode: string;
    labels?: Record<string, string>;
  }
  const LIMITS = { memoryMb: 64, timeoutMs: 5000, maxOutputBytes: 65536 };
  const eventValues = (namespace: string, id: string, keyId: string, b: Body) => [
    randomUUID(),
    namespace,
    'sandbox',
    id,
    1,
    'sandbox_created',
    1,
    JSON.stringify({ name: b.name, runtime: b.runtime, mode: b.mode, limits: LIMITS, labels: b.labels ?? {} }),
    JSON.stringify({ actor: `key:${keyId}` }),
  ];
  const INSERT_EVENT =
    'insert into events (event_id, namespace, stream_type, stream_id, stream_version, event_type, schema_version, data, metadata) ' +
    'values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning global_position, recorded_at';

  app.post<{ Body: Body }>('/bare-min', { schema: { body } }, async (req, reply) => {
    const who = await principal(req.headers.authorization);
    if (!who) return reply.code(401).send({ error: 'unauthorized' });
    const id = randomUUID();
    await pool.query(INSERT_EVENT, eventValues(who.namespace, id, who.id, req.body));
    return reply.code(201).send({ id, name: req.body.name, state: 'created' });
  });

  app.post<{ Body: Body }>('/bare-tx', { schema: { body } }, async (req, reply) => {
    const who = await principal(req.headers.authorization);
    if (!who) return reply.code(401).send({ error: 'unauthorized' });
    const id = randomUUID();
    const client: PoolClient = await pool.connect();
    try {
      await client.query('begin');
      const { rows } = await client.query<{ global_position: string; recorded_at: Date }>(INSERT_EVENT, eventValues(who.namespace, id, who.id, req.body));
      await client.query(
        `insert into sandboxes (id, namespace, name, runtime, mode, state, limits, labels, version, created_by, created_at, updated_at, created_position, last_position)
         values ($1, $2, $3, $4, $5, 'created', $6, $7, 1, $8, $9, $9, $10, $10)`,
        [id, who.namespace, req.body.name, req.body.runtime, req.body.mode, JSON.stringify(LIMITS), JSON.stringify(req.body.labels ?? {}), `key:${who.id}`, rows[0].recorded_at, rows[0].global_position],
      );
      await client.query('commit');
    } catch (e) {
      await client.query('rollback').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
    return reply.code(201).send({ id, name: req.body.name, state: 'created' });
  });

  app.get<{ Params: { id: string } }>('/bare-read/:id', async (req, reply) => {
    const who = await principal(req.headers.authorization);
    if (!who) return reply.code(401).send({ error: 'unauthorized' });
    const { rows } = await pool.query('select id, name, runtime, mode, state, limits, labels, version, created_at, updated_at from sandboxes where id = $1 and namespace = $2', [
      req.params.id,
      who.namespace,
    ]);
    if (rows.length === 0) return reply.code(404).send({ error: 'not found' });
    return rows[0];
  });

  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    close: async () => {
      await app.close();
      await pool.end();
    },
  };
});
