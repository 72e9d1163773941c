import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { EventStore } from '@cave/event-store';
import { ProjectionRegistry, ProjectionRuntime } from '@cave/projections';
import { createTestDatabase, TestDatabase, waitFor } from '@cave/testing';
import { AuditService } from './audit.service';
import { AuditTree } from './checkpoints/audit-tree';
import { CheckpointService } from './checkpoints/checkpoint.service';
import { AuditForkError, AuditEntryNotFoundError } from './domain/audit.errors';
import { canonicalEntry, entryHash, GENESIS_HASH } from './domain/audit-entry';
import { parseCheckpoint } from './domain/checkpoint';
import { HmacKeyRing, hmacOf } from './domain/hmac-key-ring';
import { hashLeaf, verifyInclusion } from './domain/merkle';
import { NoteSigner, openNote, parseVerifierKey } from './domain/signed-note';
import { AuditFileSink } from './projections/audit-file-sink';
import { AuditWriter } from './projections/audit-writer';
import { auditProjection } from './projections/audit.projection';
import { verifyLogFile } from './verification/offline-verifier';

jest.setTimeout(30_000);

const KEY = 'audit-hmac-key-for-tests-0123456789';
const LIFECYCLE = ['sandbox_created', 'sandbox_started', 'sandbox_exec', 'sandbox_stopped', 'sandbox_deleted'];
const dir = mkdtempSync(join(tmpdir(), 'cave-audit-int-'));
const quiet = { warn: () => undefined, error: () => undefined };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Harness {
  t: TestDatabase;
  store: EventStore;
  /** Runs the audit projector on the projection runtime until the log and the file hold every event. */
  catchUp(opts?: { file?: boolean }): Promise<void>;
  sink: AuditFileSink;
  service: AuditService;
  checkpoints: CheckpointService;
  signer: NoteSigner;
  ring: HmacKeyRing;
  file: string;
  superuser<T>(fn: (c: Client) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

async function harness(): Promise<Harness> {
  const t = await createTestDatabase();
  const store = new EventStore(t.db);
  const ring = new HmacKeyRing(KEY);
  const writer = new AuditWriter(ring);
  const file = join(dir, `${t.name}.jsonl`);
  const sink = new AuditFileSink(file, t.db, quiet);
  await sink.open();
  const registry = new ProjectionRegistry().register(auditProjection(writer, (r) => sink.append(r.firstSeq, r.lines)));
  const runtime = new ProjectionRuntime(t.db, store, registry, { pollMs: 100, leaderRetryMs: 100 });
  const catchUp = async ({ file = true } = {}) => {
    await runtime.start();
    try {
      await waitFor(async () => {
        const { rows } = await t.db.admin.query<{ done: boolean }>(
          // At the newest event in commit-safe order, not at the largest position (they differ under concurrent writers).
          `select coalesce((select cursor from projection_checkpoints where name = 'audit'), '') =
                  coalesce((select transaction_id::text || ':' || global_position from events order by transaction_id desc, global_position desc limit 1), '0:0') as done`,
        );
        return rows[0].done && (!file || sink.lineCount === (await entryCount(t))) ? true : undefined;
      }, 10_000, 'audit projector caught up');
    } finally {
      await runtime.stop();
    }
  };
  const signer = NoteSigner.generate('cave-audit-int').signer;
  const checkpoints = new CheckpointService(t.db, new AuditTree(t.db), signer);
  const service = new AuditService(t.db, new AuditTree(t.db), checkpoints, ring, file);
  return {
    t, store, catchUp, sink, service, checkpoints, signer, ring, file,
    superuser: async (fn) => {
      const c = new Client({ connectionString: t.ownerUrl });
      await c.connect();
      try {
        return await fn(c);
      } finally {
        await c.end();
      }
    },
    close: async () => {
      await runtime.stop();
      await sink.close();
      await t.drop();
    },
  };
}

/** Two sandboxes in two namespaces walking the seed lifecycle: 10 events. */
async function seed(h: Harness): Promise<void> {
  for (const [ns, id] of [['team-a', 'sandbox-a'], ['team-b', 'sandbox-b']]) {
    for (const [v, type] of LIFECYCLE.entries()) {
      await h.store.append(id, v, [{ type, data: { step: v, cmd: type === 'sandbox_exec' ? 'echo hi' : undefined } }], { namespace: ns, streamType: 'sandbox', actor: `key-${ns}` });
    }
  }
}

async function built(): Promise<Harness> {
  const h = await harness();
  await seed(h);
  await h.catchUp();
  await h.checkpoints.signLatest();
  return h;
}

const entryCount = async (t: TestDatabase) => Number((await t.db.admin.query<{ n: string }>('select count(*) as n from audit_log')).rows[0].n);
const entryRows = (h: Harness) => h.t.db.asAdmin(async (c) => (await c.query<{ seq: string; entry: string }>('select seq, entry from audit_log order by seq')).rows);

describe('audit log over the event store', () => {
  it('writes one chained, signed entry per event in commit-safe order, and never doubles one', async () => {
    const h = await built();
    try {
      const rows = await entryRows(h);
      const entries = rows.map((r) => JSON.parse(r.entry));
      const { events } = await h.store.readAll({ limit: 100 });
      expect(entries.map((e) => e.eventId)).toEqual(events.map((e) => e.eventId));
      expect(entries.map((e) => e.seq)).toEqual([...Array(10).keys()]);
      expect(entries.slice(0, 5).map((e) => e.eventType)).toEqual(LIFECYCLE);
      expect(entries[0]).toMatchObject({ prevHash: GENESIS_HASH, namespace: 'team-a', actor: 'key-team-a' });
      for (const [i, e] of entries.entries()) {
        expect(rows[i].entry).toBe(canonicalEntry(e));
        expect(e.hash).toBe(entryHash(e));
        expect(e.hmac).toBe(hmacOf(KEY, e.hash));
        if (i > 0) expect(e.prevHash).toBe(entries[i - 1].hash);
      }
      expect(JSON.stringify(entries)).not.toContain(KEY);
      // Replaying the same batch (a projector retry) writes nothing.
      const again = await h.t.db.asAdmin((c) => new AuditWriter(h.ring).applyBatch(events, c));
      expect(again.entries).toHaveLength(0);
      expect((await entryRows(h)).length).toBe(10);
      // The file mirrors the table line for line and verifies offline against the signed checkpoint.
      expect(readFileSync(h.file, 'utf8')).toBe(rows.map((r) => r.entry + '\n').join(''));
      const cp = await h.checkpoints.signLatest();
      const offline = await verifyLogFile(h.file, { hmacKey: KEY, checkpoint: cp.note, publicKey: h.signer.verifierKey });
      expect(offline).toMatchObject({ ok: true, entries: 10, checkpoint: { treeSize: 10 } });
      expect(await h.service.verify()).toMatchObject({ ok: true, completeness: { eventsChecked: 10, pending: 0 } });
    } finally {
      await h.close();
    }
  });

  it("commits entries only with the projector's transaction (auditProjection on a rolled-back batch writes nothing)", async () => {
    const h = await harness();
    try {
      await seed(h);
      const { events } = await h.store.readAll({ limit: 100 });
      const committed: number[] = [];
      const projection = auditProjection(new AuditWriter(h.ring), (r) => void committed.push(r.entries.length));
      const ctx = {} as never; // the audit projection owns no tables, so it never reads its context
      await expect(
        h.t.db.asAdmin(async (c) => {
          await projection.handle(events, c, ctx);
          throw new Error('checkpoint write failed');
        }),
      ).rejects.toThrow('checkpoint write failed');
      expect(await entryRows(h)).toHaveLength(0);
      await h.t.db.asAdmin((c) => projection.handle(events.slice(0, 4), c, ctx));
      await projection.afterCommit!(events.slice(0, 4));
      await h.t.db.asAdmin((c) => projection.handle(events, c, ctx));
      await projection.afterCommit!(events);
      // Only committed batches reach the file mirror, and the overlapping batch added just the new 6.
      expect(committed).toEqual([4, 6]);
      expect((await entryRows(h)).map((r) => JSON.parse(r.entry).eventId)).toEqual(events.map((e) => e.eventId));
    } finally {
      await h.close();
    }
  });

  it('re-syncs the file from the table after a crash (torn tail, missing lines)', async () => {
    const h = await built();
    try {
      const full = readFileSync(h.file, 'utf8');
      const cut = full.indexOf('\n', full.indexOf('\n') * 3) + 40; // inside line 5
      truncateSync(h.file, cut);
      await h.sink.close();
      const reopened = new AuditFileSink(h.file, h.t.db, quiet);
      await reopened.open();
      expect(readFileSync(h.file, 'utf8')).toBe(full);
      await reopened.close();
      // A file that disagrees with the table is evidence: the sink refuses to touch it.
      writeFileSync(h.file, full.replace('sandbox_exec', 'sandbox_oops'));
      const third = new AuditFileSink(h.file, h.t.db, quiet);
      await third.open();
      expect(third.diverged).toBeUndefined(); // the last line still matches; the edit shows in verification
      expect((await verifyLogFile(h.file, { hmacKey: KEY })).problem).toMatchObject({ reason: 'modified', seq: 2 });
      await third.close();
      // A second instance's file catches up with entries the first one wrote.
      const elsewhere = new AuditFileSink(join(dir, `${h.t.name}-b.jsonl`), h.t.db, quiet);
      await elsewhere.open();
      await seed2(h, { file: false }); // h.sink is closed: this "instance" crashed
      expect(elsewhere.lineCount).toBe(10);
      await elsewhere.catchUp();
      expect(elsewhere.lineCount).toBe(11);
      expect(readFileSync(join(dir, `${h.t.name}-b.jsonl`), 'utf8').trimEnd().split('\n')).toHaveLength(11);
      await elsewhere.close();
    } finally {
      await h.close();
    }
  });

  it('keeps audit_log and audit_checkpoints append-only for every role and isolates namespaces', async () => {
    const h = await built();
    try {
      await expect(h.t.db.asAdmin((c) => c.query(`update audit_log set namespace = 'x' where seq = 0`))).rejects.toThrow(/permission denied/);
      await expect(h.t.db.asAdmin((c) => c.query('delete from audit_checkpoints'))).rejects.toThrow(/permission denied/);
      await expect(h.superuser((c) => c.query('delete from audit_log where seq = 3'))).rejects.toThrow(/append-only/);
      await expect(h.superuser((c) => c.query('truncate audit_log'))).rejects.toThrow(/append-only/);
      await expect(h.t.db.tenant('team-a', (c) => c.query(`insert into audit_log (seq, global_position, event_id, namespace, event_cursor, entry, hash, leaf_hash)
        values (99, 99, gen_random_uuid(), 'team-a', '0:0', '{}', repeat('0', 64), decode(repeat('00', 32), 'hex'))`))).rejects.toThrow(/permission denied/);
      const seen = await h.t.db.tenant('team-a', async (c) => (await c.query<{ namespace: string }>('select namespace from audit_log')).rows);
      expect(seen).toHaveLength(5);
      expect(new Set(seen.map((r) => r.namespace))).toEqual(new Set(['team-a']));
      await expect(h.t.db.tenant('team-a', (c) => c.query('select * from audit_checkpoints'))).rejects.toThrow(/permission denied/);
    } finally {
      await h.close();
    }
  });

  it('serves member proofs against the stored checkpoints: proofs while the log grows sign nothing new', async () => {
    const h = await built();
    try {
      const count = async () => Number((await h.t.db.admin.query('select count(*) as n from audit_checkpoints')).rows[0].n);
      const { events } = await h.store.readAll({ limit: 100 });
      const mine = events.find((e) => e.namespace === 'team-b')!;
      await h.service.memberProof('team-b', mine.eventId);
      const before = await count();
      for (let i = 0; i < 8; i++) {
        // Other tenants' activity grows the log between the member's calls.
        await h.store.append(`sandbox-grow-${i}`, 'no_stream', [{ type: 'sandbox_created', data: {} }], { namespace: 'team-a', streamType: 'sandbox' });
        await h.catchUp({ file: false });
        const p = await h.service.memberProof('team-b', mine.eventId);
        expect(p.treeSize).toBe(10);
      }
      expect(await count()).toBe(before);
    } finally {
      await h.close();
    }
  });

  it('gives members inclusion proofs for their own entries only, checkable against the signed checkpoint', async () => {
    const h = await built();
    try {
      const { events } = await h.store.readAll({ limit: 100 });
      const mine = events.find((e) => e.namespace === 'team-b' && e.type === 'sandbox_exec')!;
      const p = await h.service.memberProof('team-b', mine.eventId);
      const cp = parseCheckpoint(openNote(p.checkpoint, parseVerifierKey(h.signer.verifierKey)));
      const leaf = hashLeaf(canonicalEntry(p.entry as unknown as Record<string, unknown>));
      expect(verifyInclusion(p.leafIndex, p.treeSize, leaf, p.hashes.map((x) => Buffer.from(x, 'base64')), cp.rootHash)).toBe(true);
      await expect(h.service.memberProof('team-a', mine.eventId)).rejects.toBeInstanceOf(AuditEntryNotFoundError);
      await expect(h.service.memberProof('team-b', 'not-a-uuid')).rejects.toBeInstanceOf(AuditEntryNotFoundError);
    } finally {
      await h.close();
    }
  });
});

/** Each insider tamper on a fresh 10-entry log, and what verification must say. */
describe('insider tampering is reported with the right entry and reason', () => {
  const tamperTable = (sql: string, params: unknown[] = []) => async (h: Harness) =>
    h.superuser(async (c) => {
      await c.query('alter table audit_log disable trigger user');
      await c.query(sql, params);
      await c.query('alter table audit_log enable trigger user');
    });

  const cases: { name: string; tamper: (h: Harness) => Promise<unknown>; want: Record<string, unknown> }[] = [
    {
      name: 'edit a field in the table',
      tamper: tamperTable(`update audit_log set entry = replace(entry, '"sandbox_started"', '"sandbox_stopped"') where seq = 1`),
      want: { reason: 'modified', seq: 1, source: 'table' },
    },
    {
      name: 'edit a field in the table and recompute its hash without the key',
      tamper: async (h) => {
        const e = JSON.parse((await entryRows(h))[6].entry);
        e.actor = 'someone-else';
        e.hash = entryHash(e);
        await tamperTable('update audit_log set entry = $1 where seq = 6', [canonicalEntry(e)])(h);
      },
      want: { reason: 'bad_hmac', seq: 6, source: 'table' },
    },
    {
      name: 'edit a field in the file',
      tamper: async (h) => writeFileSync(h.file, readFileSync(h.file, 'utf8').replace('"actor":"key-team-b"', '"actor":"key-team-c"')),
      want: { reason: 'modified', seq: 5, source: 'file' },
    },
    {
      name: "rewrite a row's stored leaf hash",
      tamper: tamperTable(`update audit_log set leaf_hash = decode(repeat('cd', 32), 'hex') where seq = 5`),
      want: { reason: 'modified', seq: 5, source: 'table' },
    },
    // Columns derived from the entry, edited without touching the entry (RLS filters on namespace).
    {
      name: "move an entry to another tenant by its namespace column",
      tamper: tamperTable(`update audit_log set namespace = 'team-a' where seq = 5`),
      want: { reason: 'modified', seq: 5, source: 'table', detail: expect.stringContaining('namespace') },
    },
    {
      name: 'point a row at another event by its event_id column',
      tamper: tamperTable(`update audit_log set event_id = '00000000-0000-4000-8000-000000000001' where seq = 3`),
      want: { reason: 'modified', seq: 3, source: 'table', detail: expect.stringContaining('event_id') },
    },
    {
      name: 'rewrite a global_position column',
      tamper: tamperTable(`update audit_log set global_position = 987654 where seq = 2`),
      want: { reason: 'modified', seq: 2, source: 'table', detail: expect.stringContaining('global_position') },
    },
    {
      name: 'rewrite a hash column',
      tamper: tamperTable(`update audit_log set hash = repeat('e', 64) where seq = 4`),
      want: { reason: 'modified', seq: 4, source: 'table', detail: expect.stringContaining('hash') },
    },
    {
      name: "re-chain an entry to another predecessor with the HMAC key (prevHash)",
      tamper: async (h) => {
        const e = JSON.parse((await entryRows(h))[6].entry);
        e.prevHash = 'f'.repeat(64);
        e.hash = entryHash(e);
        e.hmac = hmacOf(KEY, e.hash);
        await tamperTable('update audit_log set entry = $1, hash = $2, leaf_hash = $3 where seq = 6', [canonicalEntry(e), e.hash, hashLeaf(canonicalEntry(e))])(h);
      },
      want: { reason: 'modified', seq: 5, source: 'table', detail: expect.stringContaining('successor') },
    },
    {
      name: 'an unsigned entry at the seam after signed ones',
      tamper: async (h) => {
        const e = JSON.parse((await entryRows(h))[7].entry);
        e.hmac = null;
        e.keyId = null;
        e.hash = entryHash(e);
        await tamperTable('update audit_log set entry = $1, hash = $2, leaf_hash = $3 where seq = 7', [canonicalEntry(e), e.hash, hashLeaf(canonicalEntry(e))])(h);
      },
      want: { reason: 'bad_hmac', seq: 7, source: 'table' },
    },
    { name: 'delete a row', tamper: tamperTable('delete from audit_log where seq = 4'), want: { reason: 'removed', seq: 4, source: 'table' } },
    {
      name: 'insert a row',
      tamper: async (h) => {
        const e = JSON.parse((await entryRows(h))[3].entry);
        const forged = { ...e, eventId: '00000000-0000-4000-8000-000000000000', eventType: 'sandbox_deleted' };
        forged.hash = entryHash(forged);
        forged.hmac = hmacOf('w'.repeat(32), forged.hash);
        await tamperTable(`update audit_log set seq = seq + 1000 where seq >= 3`)(h);
        await tamperTable(`update audit_log set seq = seq - 999 where seq >= 1000`)(h);
        await tamperTable(`insert into audit_log (seq, global_position, event_id, namespace, event_cursor, entry, hash, leaf_hash)
          values (3, 100000, $1, 'team-a', '0:0', $2, $3, $4)`, [forged.eventId, canonicalEntry(forged), forged.hash, hashLeaf(canonicalEntry(forged))])(h);
      },
      want: { reason: 'inserted', seq: 3, source: 'table' },
    },
    {
      name: 'swap two rows',
      tamper: async (h) => {
        await tamperTable(`update audit_log set seq = case seq when 2 then 1007 when 7 then 1002 end where seq in (2, 7)`)(h);
        await tamperTable(`update audit_log set seq = seq - 1000 where seq >= 1000`)(h);
      },
      want: { reason: 'reordered', seq: 2, source: 'table' },
    },
    { name: 'truncate the tail', tamper: tamperTable('delete from audit_log where seq >= 8'), want: { reason: 'truncated', seq: 8, source: 'table' } },
    {
      name: 're-sign an edited entry with a wrong key',
      tamper: async (h) => {
        const e = JSON.parse((await entryRows(h))[9].entry);
        e.eventType = 'sandbox_created';
        e.hash = entryHash(e);
        e.hmac = hmacOf('a-wrong-key-of-sufficient-length', e.hash);
        await tamperTable('update audit_log set entry = $1 where seq = 9', [canonicalEntry(e)])(h);
      },
      want: { reason: 'bad_hmac', seq: 9, source: 'table' },
    },
    {
      name: 'rewrite an event row as superuser with the trigger disabled',
      tamper: async (h) =>
        h.superuser(async (c) => {
          await c.query('alter table events disable trigger user');
          await c.query(`update events set data = '{"step": 2, "cmd": "rm -rf /"}' where stream_id = 'sandbox-a' and stream_version = 3`);
          await c.query('alter table events enable trigger user');
        }),
      want: { reason: 'modified', seq: 2, source: 'events' },
    },
    {
      name: 'delete an event row as superuser',
      tamper: async (h) =>
        h.superuser(async (c) => {
          await c.query('alter table events disable trigger user');
          await c.query(`delete from events where stream_id = 'sandbox-b' and stream_version = 2`);
          await c.query('alter table events enable trigger user');
        }),
      want: { reason: 'removed', seq: 6, source: 'events' },
    },
  ];

  it.each(cases)('$name', async ({ tamper, want }) => {
    const h = await built();
    try {
      await tamper(h);
      const report = await h.service.verify();
      expect(report.ok).toBe(false);
      expect(report.problem).toMatchObject(want);
    } finally {
      await h.close();
    }
  });

  it('never signs a checkpoint inconsistent with the last one', async () => {
    const h = await built();
    try {
      await tamperTable(`update audit_log set leaf_hash = decode(repeat('ab', 32), 'hex') where seq = 3`)(h);
      await seed2(h);
      // A restarted instance loads the tampered leaves; signing the bigger tree would fork the log.
      const restarted = new CheckpointService(h.t.db, new AuditTree(h.t.db), h.signer);
      await expect(restarted.signLatest()).rejects.toBeInstanceOf(AuditForkError);
      const sizes = await h.t.db.asAdmin(async (c) => (await c.query('select tree_size from audit_checkpoints')).rows.map((r) => Number(r.tree_size)));
      expect(sizes).toEqual([10]);
    } finally {
      await h.close();
    }
  });
});

async function seed2(h: Harness, opts?: { file?: boolean }): Promise<void> {
  await h.store.append('sandbox-c', 'no_stream', [{ type: 'sandbox_created', data: {} }], { namespace: 'team-a', streamType: 'sandbox' });
  await h.catchUp(opts);
}
