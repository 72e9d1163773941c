import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { Database, EventStore } from '@cave/event-store';
import { Projection, ProjectionAdminService, ProjectionNotRebuildableError, ProjectionRegistry, ProjectionRuntime } from '@cave/projections';
import { createTestDatabase, TestDatabase, waitFor } from '@cave/testing';
import { HmacKeyRing } from './domain/hmac-key-ring';
import { AuditFileSink } from './projections/audit-file-sink';
import { AuditWriter } from './projections/audit-writer';
import { AUDIT_PROJECTION, auditProjection } from './projections/audit.projection';
import { verifyLogFile } from './verification/offline-verifier';

jest.setTimeout(60_000);

const KEY = 'audit-projector-hmac-key-0123456789';
const quiet = { warn: () => undefined, error: () => undefined };
const dir = mkdtempSync(join(tmpdir(), 'cave-audit-projector-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Blocks the audit projector's transaction after its inserts, before the commit, while `armed`. */
class Gate {
  armed = false;
  private release?: () => void;
  private reachedResolve?: () => void;
  readonly reached = new Promise<void>((r) => (this.reachedResolve = r));
  private readonly released = new Promise<void>((r) => (this.release = r));

  async pass(): Promise<void> {
    if (!this.armed) return;
    this.reachedResolve!();
    await this.released;
  }

  open(): void {
    this.armed = false;
    this.release!();
  }
}

/** One daemon instance as the audit context wires it: own pools (tagged), file, registry and runtime. */
interface Instance {
  app: string;
  db: Database;
  store: EventStore;
  sink: AuditFileSink;
  runtime: ProjectionRuntime;
  file: string;
}

describe('audit projector on the projection runtime (real Postgres)', () => {
  let t: TestDatabase;
  const opened: Instance[] = [];

  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    for (const i of opened) {
      await i.runtime.stop();
      await i.sink.close();
      await i.db.close();
    }
    await t.drop();
  });

  async function instance(app: string, file = join(dir, `${t.name}-${app}.jsonl`), gate?: Gate): Promise<Instance> {
    const db = new Database(t, 4, { application_name: app });
    const store = new EventStore(db);
    const sink = new AuditFileSink(file, db, quiet);
    await sink.open();
    const base = auditProjection(new AuditWriter(new HmacKeyRing(KEY)), (r) => sink.append(r.firstSeq, r.lines));
    const projection: Projection = gate
      ? {
          ...base,
          handle: async (events, client, ctx) => {
            await base.handle(events, client, ctx);
            await gate.pass();
          },
        }
      : base;
    const runtime = new ProjectionRuntime(db, store, new ProjectionRegistry().register(projection), { instanceId: app, pollMs: 200, leaderRetryMs: 200 });
    const i = { app, db, store, sink, runtime, file };
    opened.push(i);
    return i;
  }

  async function superuser<T>(fn: (c: Client) => Promise<T>): Promise<T> {
    const c = new Client({ connectionString: t.ownerUrl });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  }

  /** What a crash looks like to Postgres: every connection of the instance goes away at once. */
  const kill = (app: string) => superuser((c) => c.query('select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1', [app]));

  const append = (store: EventStore, stream: string, n: number) =>
    store.append(stream, 'any', Array.from({ length: n }, (_, k) => ({ type: 'sandbox_exec', data: { k } })), { namespace: 'team-a', streamType: 'sandbox', actor: 'key-a' });

  /** Every event has exactly one entry, in commit-safe order, seq contiguous from 0. */
  async function expectLogMatchesEvents(): Promise<string[]> {
    const { rows: entries } = await t.db.admin.query<{ seq: string; event_id: string; entry: string }>('select seq, event_id, entry from audit_log order by seq');
    const events: string[] = [];
    for (let after: string | undefined = undefined; ; ) {
      const page = await new EventStore(t.db).readAll({ after, limit: 1000 });
      events.push(...page.events.map((e) => e.eventId));
      if (page.events.length === 0) break;
      after = page.cursor;
    }
    expect(entries.map((r) => Number(r.seq))).toEqual([...entries.keys()]);
    expect(entries.map((r) => r.event_id)).toEqual(events);
    return entries.map((r) => r.entry);
  }

  // The checkpoint is at the newest event in commit-safe order (transaction, then position). Not "at the largest
  // position": with concurrent writers the last transaction's event can hold a smaller position than an earlier
  // transaction's, and the old `max(global_position) <= position` then never held (seen once in CI).
  const caughtUp = async () => {
    const { rows } = await t.db.admin.query<{ ok: boolean }>(
      `select (select count(*) from events) = (select count(*) from audit_log)
          and (select cursor from projection_checkpoints where name = 'audit') =
              (select transaction_id::text || ':' || global_position from events order by transaction_id desc, global_position desc limit 1) as ok`,
    );
    return rows[0]?.ok ? true : undefined;
  };

  async function expectFileIsTheTable(i: Instance, lines: string[]): Promise<void> {
    await i.sink.catchUp();
    expect(readFileSync(i.file, 'utf8')).toBe(lines.map((l) => l + '\n').join(''));
    expect(await verifyLogFile(i.file, { hmacKey: KEY })).toMatchObject({ ok: true, entries: lines.length });
  }

  it('two instances under concurrent appends: one leads, the other takes over when it dies; no entry doubled or skipped', async () => {
    const a = await instance('audit-a');
    const b = await instance('audit-b');
    await Promise.all([a.runtime.start(), b.runtime.start()]);
    const leader = await waitFor(() => (a.runtime.isLeading(AUDIT_PROJECTION) ? a : b.runtime.isLeading(AUDIT_PROJECTION) ? b : undefined), 5_000, 'a leader');
    const other = leader === a ? b : a;
    expect(other.runtime.isLeading(AUDIT_PROJECTION)).toBe(false);

    // Both instances append (as two daemons would), in parallel streams, while the leader writes the log.
    let writing = true;
    const writers = [a, b, a, b].map(async (i, w) => {
      for (let n = 0; writing; n++) await append(i.store, `sandbox-${w}`, 1 + (n % 3)).catch(() => undefined);
    });
    await waitFor(async () => (Number((await t.db.admin.query('select count(*) as n from audit_log')).rows[0].n) >= 50 ? true : undefined), 15_000, 'progress');
    const killedAt = Date.now();
    await kill(leader.app);
    await leader.runtime.stop();
    await waitFor(() => (other.runtime.isLeading(AUDIT_PROJECTION) ? true : undefined), 5_000, 'failover');
    expect(Date.now() - killedAt).toBeLessThan(3_000);
    await new Promise((r) => setTimeout(r, 300)); // keep appending across the hand-over
    writing = false;
    await Promise.all(writers);
    await waitFor(caughtUp, 15_000, 'audit caught up after failover');

    const lines = await expectLogMatchesEvents();
    expect(lines.length).toBeGreaterThan(50);
    // The survivor appended after each commit; the dead one's file catches up from the table on restart.
    await expectFileIsTheTable(other, lines);
    const restarted = new AuditFileSink(leader.file, t.db, quiet);
    await restarted.open();
    expect(readFileSync(leader.file, 'utf8')).toBe(lines.map((l) => l + '\n').join(''));
    await restarted.close();
    await other.runtime.stop();
  });

  it('a leader killed mid-batch leaves table and file consistent after restart (torn file tail re-synced)', async () => {
    const gate = new Gate();
    const file = join(dir, `${t.name}-crash.jsonl`);
    const a = await instance('crash-a', file, gate);
    await a.runtime.start();
    await waitFor(caughtUp, 15_000, 'caught up with the earlier log');
    const before = Number((await t.db.admin.query('select count(*) as n from audit_log')).rows[0].n);

    gate.armed = true;
    await append(a.store, 'sandbox-crash', 7);
    await gate.reached; // the batch's entries are inserted, not committed
    await kill('crash-a');
    gate.open();
    await a.runtime.stop();
    await a.sink.close();
    expect(Number((await t.db.admin.query('select count(*) as n from audit_log')).rows[0].n)).toBe(before); // rolled back
    // The process also died while writing its file: a torn last line.
    truncateSync(file, statSync(file).size - 25);

    const restarted = await instance('crash-a2', file);
    await restarted.runtime.start();
    await waitFor(caughtUp, 15_000, 'caught up after restart');
    const lines = await expectLogMatchesEvents();
    expect(lines).toHaveLength(before + 7);
    await expectFileIsTheTable(restarted, lines);
    await restarted.runtime.stop();
  });

  it('refuses to rebuild the audit log: 409 from the admin service, and a request that slips through is failed untouched', async () => {
    const i = await instance('rebuild-a');
    const registry = new ProjectionRegistry().register(auditProjection(new AuditWriter(new HmacKeyRing(KEY))));
    const admin = new ProjectionAdminService(t.db, new EventStore(t.db), registry);
    const error = await admin.rebuild(AUDIT_PROJECTION, 'test').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProjectionNotRebuildableError);
    expect(error).toMatchObject({ kind: 'conflict', code: 'PROJECTION.NOT_REBUILDABLE', details: { reason: 'append_only' } });
    expect((await admin.get(AUDIT_PROJECTION)).rebuildable).toBe(false);

    // A process without the projection's code (an old CLI) can still record a request; the leader refuses it.
    const entries = (await t.db.admin.query('select seq, entry from audit_log order by seq')).rows;
    await new ProjectionAdminService(t.db, new EventStore(t.db), new ProjectionRegistry()).rebuild(AUDIT_PROJECTION, 'old-cli');
    await i.runtime.start();
    const failed = await waitFor(async () => {
      const v = await admin.get(AUDIT_PROJECTION);
      return v.rebuild?.status === 'failed' ? v : undefined;
    }, 10_000, 'rebuild refused by the leader');
    expect(failed.rebuild?.error).toContain('append-only');
    expect(failed.status).toBe('running');
    // Nothing dropped or rewritten; the only new entry audits the refused request itself.
    const after = (await t.db.admin.query('select seq, entry from audit_log order by seq')).rows;
    expect(after.slice(0, entries.length)).toEqual(entries);
    expect(after.slice(entries.length).map((r) => JSON.parse(r.entry).eventType)).toEqual(['projection_rebuild_requested']);
    expect((await t.db.admin.query(`select to_regclass('audit_log__shadow') as t`)).rows[0].t).toBeNull();
    await i.runtime.stop();
  });
});
