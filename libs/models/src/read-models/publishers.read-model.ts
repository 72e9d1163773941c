import type { PoolClient } from 'pg';
import { MODEL_PUBLISHER_REVOKED, MODEL_PUBLISHER_TRUSTED, PublisherEvent } from '../contracts/models.events';

export interface PublisherView {
  publisherId: string;
  /** Raw Ed25519 public key, base64. */
  publicKey: string;
  label: string | null;
  status: 'trusted' | 'revoked';
  trustedAt: string;
  revokedAt: string | null;
}

interface Row {
  publisher_id: string;
  public_key: string;
  label: string | null;
  status: 'trusted' | 'revoked';
  trusted_at: Date;
  revoked_at: Date | null;
}

const toView = (r: Row): PublisherView => ({
  publisherId: r.publisher_id,
  publicKey: r.public_key,
  label: r.label,
  status: r.status,
  trustedAt: r.trusted_at.toISOString(),
  revokedAt: r.revoked_at?.toISOString() ?? null,
});

/** Trusted publisher keys (admin state: cave_admin only). */
export const publishersReadModel = {
  async get(c: PoolClient, publisherId: string): Promise<PublisherView | undefined> {
    const { rows } = await c.query<Row>(`select * from model_publishers where publisher_id = $1`, [publisherId]);
    return rows.length === 0 ? undefined : toView(rows[0]);
  },

  async list(c: PoolClient): Promise<PublisherView[]> {
    const { rows } = await c.query<Row>(`select * from model_publishers order by trusted_at, publisher_id`);
    return rows.map(toView);
  },

  /** `table`: the live table inline, a rebuild's shadow from the projector. */
  async apply(c: PoolClient, event: PublisherEvent, version: number, table = 'model_publishers'): Promise<void> {
    switch (event.type) {
      case MODEL_PUBLISHER_TRUSTED: {
        const d = event.data;
        await c.query(
          `insert into ${table} as p (publisher_id, public_key, label, status, trusted_at, revoked_at, stream_version)
           values ($1, $2, $3, 'trusted', $4, null, $5)
           on conflict (publisher_id) do update set label = excluded.label, status = 'trusted', trusted_at = excluded.trusted_at, revoked_at = null,
             stream_version = excluded.stream_version
           where p.stream_version < excluded.stream_version`,
          [d.publisherId, d.publicKey, d.label, d.trustedAt, version],
        );
        return;
      }
      case MODEL_PUBLISHER_REVOKED:
        await c.query(`update ${table} set status = 'revoked', revoked_at = $2, stream_version = $3 where publisher_id = $1 and stream_version < $3`, [
          event.data.publisherId,
          event.data.revokedAt,
          version,
        ]);
        return;
      default: {
        const unknown: never = event;
        throw new Error(`publishers read model: unhandled event ${JSON.stringify(unknown)}`);
      }
    }
  },
};
