import { Client } from 'pg';

/** One short-lived connection for administrative statements (CREATE/DROP DATABASE cannot run in a pool's transaction). */
export async function withClient<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** The same server URL pointed at another database. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * Replication slots (realtime) pin a database: DROP DATABASE refuses while one exists. Terminate
 * every session including walsenders, drop the slots, then the database.
 */
export async function dropDatabase(c: Client, name: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    await c.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`, [name]);
    try {
      await c.query(`select pg_drop_replication_slot(slot_name) from pg_replication_slots where database = $1`, [name]);
      await c.query(`drop database if exists ${name}`);
      return;
    } catch (e) {
      // A walsender that was just terminated may still hold its slot for a moment.
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
