import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchPool, BenchServer } from './bench-server';
import { startServerProcess, ServerProcess } from './server-process';

export const SANDBOX_BODY = JSON.stringify({ name: 'bench-sandbox', runtime: 'javascript', mode: 'quick', labels: { team: 'bench' } });

/** The daemon's app in its own process on a fresh migrated database, with an admin key. */
export interface CaveUnderTest {
  proc: ServerProcess;
  ownerUrl: string;
  adminKey: string;
  /** A member key of `namespace`, issued through the API. */
  memberKey(namespace: string): Promise<{ id: string; key: string }>;
  stop(): Promise<void>;
}

export async function startCave(server: BenchServer, dbName: string, opts: { nodeFlags?: string[]; env?: Record<string, string> } = {}): Promise<CaveUnderTest> {
  const db = await server.createDatabase(dbName);
  const dataDir = mkdtempSync(join(tmpdir(), 'cave-bench-daemon-'));
  const adminKey = `cave_sk_${randomBytes(32).toString('base64url')}`;
  const config = {
    LOG_LEVEL: 'silent',
    DATABASE_URL: db.ownerUrl,
    CAVE_DATA_DIR: dataDir,
    CAVE_AUDIT_LOG_PATH: join(dataDir, 'audit.jsonl'),
    CAVE_BOOTSTRAP_ADMIN_KEY: adminKey,
    ...opts.env,
  };
  const proc = await startServerProcess(
    'cave.server.ts',
    { CAVE_BENCH_CONFIG: JSON.stringify(config), CAVE_BENCH_URLS: JSON.stringify({ appUrl: db.appUrl, adminUrl: db.adminUrl }) },
    opts.nodeFlags,
  ).catch((e: unknown) => {
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  });
  return {
    proc,
    ownerUrl: db.ownerUrl,
    adminKey,
    memberKey: async (namespace) => {
      const res = await fetch(`${proc.base}/api/v1/auth/keys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ namespace, name: 'http benchmark', role: 'member' }),
      });
      if (res.status !== 201) throw new Error(`issuing the member key failed: HTTP ${res.status} ${await res.text()}`);
      return (await res.json()) as { id: string; key: string };
    },
    stop: async () => {
      await proc.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The hand-written Fastify + pg peers (bench/servers/bare.server.ts) on their own migrated database, with one key. */
export interface BareUnderTest {
  proc: ServerProcess;
  ownerUrl: string;
  key: string;
  stop(): Promise<void>;
}

export async function startBare(server: BenchServer, dbName: string, poolSize: number): Promise<BareUnderTest> {
  const db = await server.createDatabase(dbName);
  const key = `bare_sk_${randomBytes(32).toString('base64url')}`;
  const pool = benchPool(db.ownerUrl, 1);
  try {
    await pool.query(
      `insert into api_keys (id, namespace, name, role, prefix, secret_sha256, created_at, version)
       values ($1, 'bench', 'bare peer', 'member', $2, $3, now(), 1)`,
      [randomUUID(), key.slice(0, 12), createHash('sha256').update(key).digest('hex')],
    );
  } finally {
    await pool.end();
  }
  const proc = await startServerProcess('bare.server.ts', { CAVE_BENCH_DB_URL: db.ownerUrl, CAVE_BENCH_POOL: String(poolSize) });
  return { proc, ownerUrl: db.ownerUrl, key, stop: () => proc.stop() };
}

export async function createOne(url: string, key: string): Promise<string> {
  const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: SANDBOX_BODY });
  if (res.status !== 201) throw new Error(`POST ${url}: HTTP ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

export async function countRows(ownerUrl: string, sql: string): Promise<number> {
  const pool = benchPool(ownerUrl, 1);
  try {
    const { rows } = await pool.query<{ n: string }>(sql);
    return Number(rows[0].n);
  } finally {
    await pool.end();
  }
}
