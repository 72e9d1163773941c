import type { PoolClient, QueryResult } from 'pg';
import { compareCursors, decodeCursor, EventCursor, RecordedEvent, START } from '@cave/event-store';
import { AuditEntry, dataDigest, GENESIS_HASH, sealEntry } from '../domain/audit-entry';
import { canonicalEntry } from '../domain/audit-entry';
import { HmacKeyRing } from '../domain/hmac-key-ring';
import { hashLeaf } from '../domain/merkle';

export interface AuditBatchResult {
  /** Entries appended by this call (events already audited are skipped). */
  entries: AuditEntry[];
  /** Their canonical lines, in seq order. */
  lines: string[];
  firstSeq: number;
}

/** Serialises writers across daemon instances for the length of one transaction. */
const WRITER_LOCK = `select pg_advisory_xact_lock(hashtextextended('cave.audit.writer', 0))`;
const TIP = 'select seq, hash, event_cursor from audit_log order by seq desc limit 1';

/**
 * Turns a batch of recorded events (in commit-safe global order) into chained audit entries,
 * inside the caller's transaction, so a projector commits entries and its checkpoint together.
 * Idempotent: events at or before the log's last audited cursor are skipped, so a replayed batch
 * never doubles an entry; seq stays 0-based and contiguous.
 *
 * `events` must carry their payloads as stored, not upcast (read with `upcast: false`, as the audit
 * projection declares): the digest must not change when an upcaster is added later. The row is read once.
 */
export class AuditWriter {
  constructor(private readonly ring: HmacKeyRing) {}

  async applyBatch(events: RecordedEvent[], client: PoolClient): Promise<AuditBatchResult> {
    const tip = await this.lockedTip(client);
    let last = tip.cursor;
    const fresh: RecordedEvent[] = [];
    for (const e of events) {
      const c = decodeCursor(e.cursor);
      if (compareCursors(c, last) <= 0) continue;
      fresh.push(e);
      last = c;
    }
    if (fresh.length === 0) return { entries: [], lines: [], firstSeq: tip.nextSeq };

    const signer = this.ring.signer();
    const entries: AuditEntry[] = [];
    const lines: string[] = [];
    let prevHash = tip.hash;
    for (const [i, e] of fresh.entries()) {
      const entry = sealEntry(
        {
          seq: tip.nextSeq + i,
          globalPosition: e.globalPosition,
          eventId: e.eventId,
          eventType: e.type,
          namespace: e.namespace,
          actor: typeof e.metadata.actor === 'string' ? e.metadata.actor : null,
          recordedAt: e.recordedAt.toISOString(),
          dataSha256: dataDigest(e.data),
          prevHash,
        },
        signer,
      );
      entries.push(entry);
      lines.push(canonicalEntry(entry as unknown as Record<string, unknown>));
      prevHash = entry.hash;
    }
    await client.query(
      `insert into audit_log (seq, global_position, event_id, namespace, event_cursor, entry, hash, leaf_hash)
       select s, g, e, n, c, l, h, decode(lh, 'hex')
       from unnest($1::bigint[], $2::bigint[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
         as t(s, g, e, n, c, l, h, lh)`,
      [
        entries.map((e) => e.seq),
        entries.map((e) => e.globalPosition),
        entries.map((e) => e.eventId),
        entries.map((e) => e.namespace),
        fresh.map((e) => e.cursor),
        lines,
        entries.map((e) => e.hash),
        lines.map((l) => hashLeaf(l).toString('hex')),
      ],
    );
    return { entries, lines, firstSeq: tip.nextSeq };
  }

  /**
   * Takes the writer lock, then reads the chain's tip: two statements in one simple-protocol message, one
   * round trip. Each statement of such a message takes its own snapshot (read committed), so the tip is read
   * after the lock was granted and sees whatever the previous holder committed.
   */
  private async lockedTip(client: PoolClient): Promise<{ nextSeq: number; hash: string; cursor: EventCursor }> {
    const results = (await client.query(`${WRITER_LOCK}; ${TIP}`)) as unknown as QueryResult<{ seq: string; hash: string; event_cursor: string }>[];
    const { rows } = results[1];
    if (rows.length === 0) return { nextSeq: 0, hash: GENESIS_HASH, cursor: START };
    return { nextSeq: Number(rows[0].seq) + 1, hash: rows[0].hash, cursor: decodeCursor(rows[0].event_cursor) };
  }
}
