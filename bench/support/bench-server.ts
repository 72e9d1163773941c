import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { provisionRoleLogins, roleUrl, runMigrations, startEmbeddedPostgres } from '@cave/event-store';
import { withClient, withDatabase } from '@cave/testing';
import { MIGRATIONS } from '@cave/migrations';

/** Server settings recorded with every result (they decide what a commit costs). */
const REPORTED_SETTINGS = ['fsync', 'synchronous_commit', 'full_page_writes', 'wal_level', 'shared_buffers', 'max_wal_size'];

export interface BenchDatabase {
  name: string;
  /** Superuser URL of this database. */
  ownerUrl: string;
  /** Runtime role (no BYPASSRLS, not owner): what the daemon queries as. */
  appUrl: string;
  adminUrl: string;
}

export interface BenchServer {
  serverUrl: string;
  postgresVersion: string;
  settings: Record<string, string>;
  /** A new database migrated exactly as the daemon migrates its own. */
  createDatabase(name: string): Promise<BenchDatabase>;
  /** Superuser statement on the server's default database (e.g. CHECKPOINT). */
  exec(sql: string): Promise<void>;
  /** CPU time (user + system, ms) used so far by the postmaster and all its backends that are alive. */
  cpuMs(): number;
  stop(): Promise<void>;
}

/**
 * A private embedded PostgreSQL for one benchmark run, in a fresh temp directory, with the same
 * settings production starts with (durable: fsync and synchronous_commit on). Unlike the test
 * cluster nothing is relaxed, because a number measured without fsync says nothing about a commit.
 */
export async function startBenchServer(): Promise<BenchServer> {
  const dir = mkdtempSync(join(tmpdir(), 'cave-bench-'));
  // mkdtemp makes 0700; as root, Postgres runs as the postgres OS user and must enter it.
  chmodSync(dir, 0o755);
  const pg = await startEmbeddedPostgres({ dataDir: dir, log: () => undefined }).catch((e: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  });
  const stop = async () => {
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const facts = await withClient(pg.url, async (c) => {
      const version = (await c.query<{ v: string }>(`select current_setting('server_version') as v`)).rows[0].v;
      const { rows } = await c.query<{ name: string; value: string }>(
        `select name, current_setting(name) as value from pg_settings where name = any($1) order by name`,
        [REPORTED_SETTINGS],
      );
      return { version, settings: Object.fromEntries(rows.map((r) => [r.name, r.value])) };
    });
    return {
      serverUrl: pg.url,
      postgresVersion: facts.version,
      settings: facts.settings,
      createDatabase: async (name) => {
        if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`invalid database name ${name}`);
        await withClient(pg.url, (c) => c.query(`create database ${name}`));
        const ownerUrl = withDatabase(pg.url, name);
        await runMigrations(ownerUrl, MIGRATIONS);
        await provisionRoleLogins(ownerUrl);
        return { name, ownerUrl, appUrl: roleUrl(ownerUrl, 'cave_app'), adminUrl: roleUrl(ownerUrl, 'cave_admin') };
      },
      exec: async (sql) => {
        await withClient(pg.url, (c) => c.query(sql));
      },
      cpuMs: () => postgresCpuMs(pg.clusterDir),
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * CPU (user + system) of the postmaster, its live children, and the children it has already reaped
 * (the postmaster's cutime/cstime), so backends that exit during a phase still count. Linux /proc
 * only; 0 elsewhere.
 */
function postgresCpuMs(clusterDir: string): number {
  try {
    const postmaster = Number(readFileSync(join(clusterDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const tick = 1000 / 100; // USER_HZ is 100 on Linux
    let total = 0;
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      } catch {
        continue;
      }
      // Fields after the parenthesised command name, from "state": ppid = [1], utime = [11],
      // stime = [12], cutime = [13], cstime = [14].
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
      const pid = Number(entry);
      if (pid === postmaster) total += (f[11] + f[12] + f[13] + f[14]) * tick;
      else if (f[1] === postmaster) total += (f[11] + f[12]) * tick;
    }
    return total;
  } catch {
    return 0;
  }
}

/**
 * A pool for the benchmark's own queries. Pool.end() resolves before its clients' sockets close,
 * so stopping the server right after can reach a client that is still ending: without an error
 * listener that late "terminating connection" would crash the run after the work is done.
 */
export function benchPool(url: string, max: number): Pool {
  // No idle timeout: a phase must not pay for reconnecting because the other side ran for > 10 s.
  const pool = new Pool({ connectionString: url, max, application_name: 'cave-bench', idleTimeoutMillis: 0 });
  pool.on('error', () => undefined);
  return pool;
}
