import { randomUUID } from 'node:crypto';
import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { CommandRunner, ConcurrencyError, Database } from '@cave/event-store';
import { LogThrottle } from '@cave/observability';
import { apiKeyStreamId } from '../../contracts/api-key.events';
import { projectAppended } from '../api-key-events';
import { apiKeyStream } from '../api-key.stream';

export const EXPIRY_ACTOR = 'system:key-expiry';
const INTERVAL_MS = 1000;

/**
 * Records `key_revoked` for rotated keys whose grace window ended. Authentication does not wait for
 * it (the lookup compares `expires_at` itself); the event makes the revocation visible in the log,
 * the audit chain and to realtime, which disconnects the key's sockets. Every instance sweeps: the
 * event is dated at the window's end whoever writes it, and a second writer loses on the stream
 * version and then finds nothing to do, so no leadership is needed.
 */
@Injectable()
export class KeyExpirySweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Keys');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;
  /** The sweep runs every second: while the database is down, one line per 30 s. */
  private readonly failures = new LogThrottle(30_000);

  constructor(
    private readonly db: Database,
    private readonly runner: CommandRunner,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.sweep()
        .then(() => void this.failures.clear('sweep'))
        .catch((e: unknown) => {
          const line = this.failures.admit('sweep');
          if (line) this.logger.warn({ err: e, suppressed: line.suppressed }, 'key expiry sweep failed; retrying');
        })
        .finally(() => this.schedule());
    }, INTERVAL_MS);
    this.timer.unref();
  }

  /** Revokes every key whose grace window has ended; returns how many it revoked. */
  async sweep(): Promise<number> {
    const { rows } = await this.db.admin.query<{ id: string; namespace: string }>(
      `select id, namespace from api_keys where revoked_at is null and expires_at <= now() order by expires_at limit 100`,
    );
    let revoked = 0;
    for (const r of rows) {
      try {
        const n = await this.db.asAdmin(async (client) => {
          // The row lock makes a concurrent sweeper wait, then find the key revoked and skip it.
          const due = await client.query('select 1 from api_keys where id = $1 and revoked_at is null and expires_at <= now() for update', [r.id]);
          if (due.rowCount === 0) return 0;
          const { events, append } = await this.runner.run(apiKeyStream, {
            streamId: apiKeyStreamId(r.id),
            command: { type: 'expire_key', data: { keyId: r.id, now: new Date() } },
            meta: { actor: EXPIRY_ACTOR, namespace: r.namespace, role: 'admin', correlationId: randomUUID(), channel: 'system' },
            transaction: 'admin',
            client,
          });
          if (events.length > 0) await projectAppended(client, events, append, EXPIRY_ACTOR);
          return events.length;
        });
        if (n > 0) this.logger.log(`API key ${r.id} revoked: its rotation grace window ended`);
        revoked += n;
      } catch (e) {
        if (!(e instanceof ConcurrencyError)) throw e;
      }
    }
    return revoked;
  }
}
