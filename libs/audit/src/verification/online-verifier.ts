import { existsSync } from 'node:fs';
import { Database } from '@cave/event-store';
import { dataDigest } from '../domain/audit-entry';
import { parseCheckpoint } from '../domain/checkpoint';
import { HmacKeyRing } from '../domain/hmac-key-ring';
import { LineFacts } from '../domain/line-facts';
import { checkAgainstCheckpoint, VerificationProblem, verifyChain } from '../domain/log-verification';
import { NoteSigner, openNote } from '../domain/signed-note';
import { verifyLogFile, VerificationReport } from './offline-verifier';

export interface OnlineVerificationReport {
  ok: boolean;
  /** The first problem over table, completeness and file, by seq. */
  problem?: VerificationProblem & { source: 'table' | 'events' | 'file' };
  table: VerificationReport;
  /** Events audited vs. events still waiting for the writer (not a problem). */
  completeness: { eventsChecked: number; pending: number; problem?: VerificationProblem };
  file?: VerificationReport;
  checkpoint?: { treeSize: number; rootHash: string };
}

const PAGE = 10_000;

interface EntryView {
  seq: number;
  eventId: string;
  eventType: string;
  namespace: string;
  actor: string | null;
  recordedAt: string;
  dataSha256: string;
  globalPosition: number;
}

/**
 * Verification with the database: the table's chain, the latest signed checkpoint against it,
 * every event against its entry (completeness, and that no event row was rewritten behind the
 * trigger), and the JSONL file against the same checkpoint.
 */
export async function verifyOnline(db: Database, ring: HmacKeyRing, signer: NoteSigner, filePath?: string): Promise<OnlineVerificationReport> {
  const started = performance.now();
  const { facts, views, leafMismatch, columnMismatch } = await loadTable(db, ring);
  const cpRow = await db.asAdmin(async (c) => (await c.query<{ note: string }>('select note from audit_checkpoints order by tree_size desc limit 1')).rows[0]);
  let problem: VerificationProblem | undefined = verifyChain(facts, { hmacRequired: false }).problem;
  if (leafMismatch !== undefined && (problem === undefined || problem.seq > leafMismatch)) {
    // The stored leaf hash feeds the signer's tree: a row whose entry and leaf disagree was edited.
    problem = { reason: 'modified', seq: leafMismatch, line: leafMismatch + 1, detail: 'stored leaf hash does not match the entry' };
  }
  if (columnMismatch !== undefined && (problem === undefined || problem.seq > columnMismatch.seq)) {
    // RLS filters on the namespace column and proofs look rows up by event id: a column that disagrees with
    // its (hashed, signed) entry would move the entry to another tenant or another event without touching it.
    problem = { reason: 'modified', seq: columnMismatch.seq, line: columnMismatch.seq + 1, detail: `column ${columnMismatch.column} does not match the entry` };
  }
  let checkpoint: OnlineVerificationReport['checkpoint'];
  if (cpRow) {
    try {
      const cp = parseCheckpoint(openNote(cpRow.note, { name: signer.name, keyId: signer.keyId, publicKey: signer.publicKey }));
      checkpoint = { treeSize: cp.treeSize, rootHash: cp.rootHash.toString('base64') };
      problem ??= await checkAgainstCheckpoint(facts, cp);
    } catch (e) {
      problem ??= { reason: 'bad_checkpoint', seq: 0, detail: e instanceof Error ? e.message : 'invalid checkpoint' };
    }
  }
  const table: VerificationReport = {
    ok: problem === undefined,
    entries: facts.length,
    hmacChecked: ring.canVerify,
    ...(checkpoint && { checkpoint: { origin: signer.name, ...checkpoint } }),
    ...(problem && { problem }),
    elapsedMs: Math.round(performance.now() - started),
  };
  const completeness = await checkEvents(db, views);
  let file: VerificationReport | undefined;
  if (filePath !== undefined && existsSync(filePath)) {
    file = await verifyLogFile(filePath, {
      hmacKey: undefined,
      hmacPreviousKeys: ring.exportKeys(),
      ...(cpRow && { checkpoint: cpRow.note, publicKey: signer.verifierKey }),
    });
  }
  const candidates = [
    table.problem && { ...table.problem, source: 'table' as const },
    completeness.problem && { ...completeness.problem, source: 'events' as const },
    file?.problem && { ...file.problem, source: 'file' as const },
  ].filter((p): p is VerificationProblem & { source: 'table' | 'events' | 'file' } => p !== undefined);
  candidates.sort((a, b) => a.seq - b.seq);
  return { ok: candidates.length === 0, ...(candidates[0] && { problem: candidates[0] }), table, completeness, ...(file && { file }), ...(checkpoint && { checkpoint }) };
}

interface TableRow {
  seq: string;
  global_position: string;
  event_id: string;
  namespace: string;
  hash: string;
  entry: string;
  leaf_hash: Buffer;
}

/**
 * The first column of `row` that is not what its entry says, if any. `seq` is the chain check's: rows are read
 * in seq order and each entry's own seq must follow its predecessor's (removed, inserted, reordered).
 */
function derivedColumnMismatch(row: TableRow, entry: Partial<EntryView & { hash: string }>): string | undefined {
  if (row.namespace !== entry.namespace) return 'namespace';
  if (row.event_id !== entry.eventId) return 'event_id';
  if (row.global_position !== String(entry.globalPosition)) return 'global_position';
  if (row.hash !== entry.hash) return 'hash';
  return undefined;
}

async function loadTable(db: Database, ring: HmacKeyRing): Promise<{ facts: LineFacts; views: EntryView[]; leafMismatch?: number; columnMismatch?: { seq: number; column: string } }> {
  const chunks: LineFacts[] = [];
  const views: EntryView[] = [];
  let leafMismatch: number | undefined;
  let columnMismatch: { seq: number; column: string } | undefined;
  for (let from = 0; ; from += PAGE) {
    const rows = await db.asAdmin(
      async (c) =>
        (
          await c.query<TableRow>(
            `select seq::text, global_position::text, event_id::text, namespace, hash, entry, leaf_hash
             from audit_log order by audit_log.seq offset $1 limit $2`,
            [from, PAGE],
          )
        ).rows,
    );
    const facts = new LineFacts(rows.length);
    rows.forEach((r, i) => {
      facts.record(i, r.entry, ring);
      if (leafMismatch === undefined && !facts.leafAt(i).equals(r.leaf_hash)) leafMismatch = from + i;
      let view: EntryView & { hash?: string };
      try {
        view = JSON.parse(r.entry) as EntryView;
      } catch {
        view = {} as EntryView;
      }
      views.push(view);
      const column = columnMismatch === undefined ? derivedColumnMismatch(r, view) : undefined;
      if (column !== undefined) columnMismatch = { seq: from + i, column };
    });
    chunks.push(facts);
    if (rows.length < PAGE) break;
  }
  return { facts: LineFacts.concat(chunks), views, leafMismatch, columnMismatch };
}

/**
 * Walks `events` in the writer's order (commit-safe, below the xmin horizon) next to the entries.
 * The k-th event must be the k-th entry's event, with the same facts and payload digest.
 */
async function checkEvents(db: Database, views: EntryView[]): Promise<OnlineVerificationReport['completeness']> {
  let k = 0;
  let cursor = { xid: '0', pos: '0' };
  for (;;) {
    const rows = await db.asAdmin(
      async (c) =>
        (
          await c.query<{ xid: string; pos: string; event_id: string; event_type: string; namespace: string; actor: string | null; recorded_at: Date; data: unknown }>(
            `select transaction_id::text as xid, global_position::text as pos, event_id::text, event_type, namespace,
                    metadata->>'actor' as actor, recorded_at, data
             from events
             where (transaction_id, global_position) > ($1::text::xid8, $2::bigint)
               and transaction_id < pg_snapshot_xmin(pg_current_snapshot())
             order by transaction_id, global_position limit $3`,
            [cursor.xid, cursor.pos, PAGE],
          )
        ).rows,
    );
    for (const ev of rows) {
      if (k >= views.length) {
        const pending = rows.length - rows.indexOf(ev) + (await countAfter(db, ev.xid, ev.pos));
        return { eventsChecked: k, pending };
      }
      const entry = views[k];
      if (entry.eventId !== ev.event_id) {
        let problem: VerificationProblem;
        if (entry.eventId && !(await eventExists(db, entry.eventId))) {
          problem = { reason: 'removed', seq: k, eventId: entry.eventId, detail: `event ${entry.eventId} of entry ${k} no longer exists in events` };
        } else if (views.some((v) => v.eventId === ev.event_id)) {
          problem = { reason: 'reordered', seq: k, eventId: ev.event_id, detail: `event ${ev.event_id} is audited out of order` };
        } else {
          problem = { reason: 'removed', seq: k, eventId: ev.event_id, detail: `event ${ev.event_id} has no audit entry` };
        }
        return { eventsChecked: k, pending: 0, problem };
      }
      const mismatch = diff(entry, ev);
      if (mismatch) return { eventsChecked: k, pending: 0, problem: { reason: 'modified', seq: k, eventId: ev.event_id, detail: `event row differs from its audit entry: ${mismatch}` } };
      k++;
    }
    if (rows.length < PAGE) break;
    cursor = { xid: rows[rows.length - 1].xid, pos: rows[rows.length - 1].pos };
  }
  if (k < views.length) {
    const entry = views[k];
    return { eventsChecked: k, pending: 0, problem: { reason: 'removed', seq: k, eventId: entry.eventId, detail: `event ${entry.eventId} of entry ${k} no longer exists in events` } };
  }
  return { eventsChecked: k, pending: 0 };
}

function diff(entry: EntryView, ev: { event_type: string; namespace: string; actor: string | null; recorded_at: Date; data: unknown; pos: string }): string | undefined {
  if (entry.eventType !== ev.event_type) return 'eventType';
  if (entry.namespace !== ev.namespace) return 'namespace';
  if (entry.actor !== ev.actor) return 'actor';
  if (entry.recordedAt !== ev.recorded_at.toISOString()) return 'recordedAt';
  if (String(entry.globalPosition) !== ev.pos) return 'globalPosition';
  if (entry.dataSha256 !== dataDigest(ev.data)) return 'data (digest differs)';
  return undefined;
}

async function eventExists(db: Database, eventId: string): Promise<boolean> {
  return db.asAdmin(async (c) => (await c.query('select 1 from events where event_id = $1', [eventId])).rowCount === 1);
}

async function countAfter(db: Database, xid: string, pos: string): Promise<number> {
  return db.asAdmin(
    async (c) =>
      Number(
        (await c.query<{ n: string }>('select count(*) as n from events where (transaction_id, global_position) > ($1::text::xid8, $2::bigint)', [xid, pos]))
          .rows[0].n,
      ),
  );
}
