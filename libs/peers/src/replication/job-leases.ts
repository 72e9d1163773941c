import type { Pool, PoolClient } from 'pg';
import { withClient } from '@cave/event-store';

/** A replication job this instance holds: exactly one instance of a database holds a job at a time. */
export interface JobLease {
  readonly jobId: string;
  /** Gives the job up (after it completed, failed or stopped here); a no-op once the session is gone. */
  release(): Promise<void>;
}

interface Session {
  client: PoolClient;
  gone: boolean;
  close(): void;
}

const LOCK = `pg_try_advisory_lock(hashtextextended('cave.peers.replication:' || $1::text, 0))`;
const UNLOCK = `pg_advisory_unlock(hashtextextended('cave.peers.replication:' || $1::text, 0))`;

/**
 * Who runs which replication job when several daemons share one database (ADR 0020): a session-level advisory lock
 * per job, all on one dedicated connection of this instance, as projections lead (ADR 0006). A daemon that dies
 * takes its session and so its locks with it, and the next claim of another instance wins the job. When the
 * session is lost while this instance lives, `onLost` runs: the jobs it held must stop, another may already run them.
 */
export class JobLeases {
  private session?: Promise<Session>;
  private closed = false;

  constructor(
    private readonly pool: Pool,
    private readonly onLost: (error: Error) => void,
  ) {}

  /**
   * The job's lease if no instance holds it. Never call it for a job this instance holds: a session lock is
   * re-entrant, so a second claim would succeed and the count would outlive one release.
   */
  async claim(jobId: string): Promise<JobLease | undefined> {
    if (this.closed) return undefined;
    const s = await this.connect();
    const { rows } = await s.client.query<{ ok: boolean }>(`select ${LOCK} as ok`, [jobId]);
    if (!rows[0].ok) return undefined;
    return {
      jobId,
      release: async () => {
        if (s.gone) return;
        await s.client.query(`select ${UNLOCK}`, [jobId]).catch(() => undefined);
      },
    };
  }

  /** Ends the session: every lease this instance holds goes with it. */
  async close(): Promise<void> {
    this.closed = true;
    const s = await this.session?.catch(() => undefined);
    if (!s || s.gone) return;
    await s.client.query('select pg_advisory_unlock_all()').catch(() => undefined);
    s.close();
  }

  private connect(): Promise<Session> {
    this.session ??= new Promise<Session>((resolve, reject) => {
      let close!: () => void;
      const closed = new Promise<'closed'>((r) => (close = () => r('closed')));
      withClient(this.pool, async (client, lease) => {
        const s: Session = { client, gone: false, close };
        resolve(s);
        const end = await Promise.race([lease.whenLost, closed]);
        s.gone = true;
        // Never hand a connection that carried session locks back to the pool.
        lease.discard(end === 'closed' ? undefined : end);
        this.session = undefined;
        if (end !== 'closed') this.onLost(end);
      }).catch((e: Error) => {
        this.session = undefined;
        reject(e);
      });
    });
    return this.session;
  }
}
