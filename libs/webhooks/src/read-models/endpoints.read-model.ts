import type { PoolClient } from 'pg';
import type { Database } from '@cave/event-store';
import type { Principal } from '@cave/kernel';

/** What clients see of an endpoint: never its secret. */
export interface WebhookEndpointView {
  id: string;
  namespace: string;
  url: string;
  eventTypes: string[];
  standardWebhooks: boolean;
  createdAt: string;
}

interface Row {
  id: string;
  namespace: string;
  url: string;
  event_types: string[];
  standard_webhooks: boolean;
  created_at: Date;
}

const COLUMNS = 'id, namespace, url, event_types, standard_webhooks, created_at';

const toView = (r: Row): WebhookEndpointView => ({
  id: r.id,
  namespace: r.namespace,
  url: r.url,
  eventTypes: r.event_types,
  standardWebhooks: r.standard_webhooks,
  createdAt: r.created_at.toISOString(),
});

/** Active endpoints. The client decides the scope (tenant transaction under RLS, or admin). */
export const endpointsReadModel = {
  async get(c: PoolClient, id: string): Promise<WebhookEndpointView | undefined> {
    const { rows } = await c.query<Row>(`select ${COLUMNS} from webhook_endpoints where id = $1 and deleted_at is null`, [id]);
    return rows.length === 0 ? undefined : toView(rows[0]);
  },

  async list(c: PoolClient, namespace?: string): Promise<WebhookEndpointView[]> {
    const { rows } = await c.query<Row>(
      `select ${COLUMNS} from webhook_endpoints where deleted_at is null ${namespace === undefined ? '' : 'and namespace = $1'} order by created_at, id`,
      namespace === undefined ? [] : [namespace],
    );
    return rows.map(toView);
  },

  /** The endpoint as this principal may see it: members through RLS in their namespace, admins anywhere. */
  async visible(db: Database, principal: Pick<Principal, 'namespace' | 'role'>, id: string): Promise<WebhookEndpointView | undefined> {
    const get = (c: PoolClient) => endpointsReadModel.get(c, id);
    return principal.role === 'admin' ? db.asAdmin(get) : db.tenant(principal.namespace, get);
  },
};
