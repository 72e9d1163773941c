import type { PoolClient } from 'pg';

export interface DenyEntryView {
  entry: string;
  reason: string;
  deniedAt: string;
}

interface Row {
  entry: string;
  reason: string;
  denied_at: Date;
}

const toView = (r: Row): DenyEntryView => ({ entry: r.entry, reason: r.reason, deniedAt: r.denied_at.toISOString() });

export const denyListReadModel = {
  async get(c: PoolClient, entry: string): Promise<DenyEntryView | undefined> {
    const { rows } = await c.query<Row>('select entry, reason, denied_at from peer_deny_list where entry = $1', [entry]);
    return rows.length === 0 ? undefined : toView(rows[0]);
  },
  async list(c: PoolClient): Promise<DenyEntryView[]> {
    const { rows } = await c.query<Row>('select entry, reason, denied_at from peer_deny_list order by denied_at, entry');
    return rows.map(toView);
  },
};
