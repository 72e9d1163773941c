import type { ClientBase } from 'pg';

export const PUBLICATION = 'cave_events';

/** Slot names are cluster-wide; databases share a server (tests, staging), so the name carries the database. */
export function slotNameFor(database: string): string {
  return `cave_rt_${database.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`.slice(0, 63);
}

export function slotNameForUrl(url: string | undefined): string {
  const db = url ? decodeURIComponent(new URL(url).pathname.replace(/^\//, '')) || 'postgres' : 'none';
  return slotNameFor(db);
}

export interface SlotState {
  exists: boolean;
  active: boolean;
  /** Invalidated, e.g. it fell behind max_slot_wal_keep_size: its changes are gone for good. */
  lost: boolean;
}

export async function inspectSlot(c: ClientBase, slot: string): Promise<SlotState> {
  const { rows } = await c.query<{ active: boolean; lost: boolean }>(
    `select active, (wal_status = 'lost' or to_jsonb(s) ->> 'invalidation_reason' is not null) as lost
     from pg_replication_slots s where slot_name = $1`,
    [slot],
  );
  return rows.length === 0 ? { exists: false, active: false, lost: false } : { exists: true, ...rows[0] };
}

export async function createSlot(c: ClientBase, slot: string): Promise<void> {
  await c.query(`select pg_create_logical_replication_slot($1, 'pgoutput')`, [slot]);
}

export async function dropSlot(c: ClientBase, slot: string): Promise<void> {
  await c.query(`select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = $1 and not active`, [slot]);
}

/** Bytes of WAL the slot holds back: what a consumer still has to read and confirm. */
export async function slotLagBytes(c: Pick<ClientBase, 'query'>, slot: string): Promise<number | undefined> {
  const { rows } = await c.query<{ lag: string | null }>(
    `select pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::text as lag from pg_replication_slots where slot_name = $1`,
    [slot],
  );
  return rows.length === 0 || rows[0].lag === null ? undefined : Math.max(0, Number(rows[0].lag));
}

/** START_REPLICATION fails like this when the slot was invalidated. */
export function isSlotLostError(e: unknown): boolean {
  const msg = e instanceof Error ? e.message : String(e);
  return /can no longer get changes|has been invalidated|does not exist/i.test(msg);
}
