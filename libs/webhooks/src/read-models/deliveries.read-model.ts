import type { PoolClient } from 'pg';
import type { Database } from '@cave/event-store';
import type { Principal } from '@cave/kernel';

export interface DeliveryAttemptView {
  attempt: number;
  outcome: 'succeeded' | 'failed';
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  attemptedAt: string;
  nextAttemptAt: string | null;
}

/** A delivery and its history. The payload is what was signed; the target URL of the operator endpoint is not shown. */
export interface DeliveryView {
  id: string;
  namespace: string;
  webhookId: string;
  eventId: string;
  eventType: string;
  target: 'endpoint' | 'operator';
  endpointId: string | null;
  status: 'pending' | 'succeeded' | 'dead';
  attempts: number;
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
  history: DeliveryAttemptView[];
}

export interface DeliveryFilter {
  namespace?: string;
  status?: DeliveryView['status'];
  webhookId?: string;
  endpointId?: string;
  limit: number;
}

interface Row {
  id: string;
  namespace: string;
  webhook_id: string;
  event_id: string;
  event_type: string;
  target: 'endpoint' | 'operator';
  endpoint_id: string | null;
  status: DeliveryView['status'];
  attempts: number;
  next_attempt_at: Date;
  last_status_code: number | null;
  last_error: string | null;
  created_at: Date;
  delivered_at: Date | null;
}

interface AttemptRow {
  delivery_id: string;
  attempt: number;
  outcome: 'succeeded' | 'failed';
  status_code: number | null;
  latency_ms: number;
  error: string | null;
  attempted_at: Date;
  next_attempt_at: Date | null;
}

const COLUMNS =
  'id, namespace, webhook_id, event_id, event_type, target, endpoint_id, status, attempts, next_attempt_at, last_status_code, last_error, created_at, delivered_at';

async function withHistory(c: PoolClient, rows: Row[]): Promise<DeliveryView[]> {
  if (rows.length === 0) return [];
  const { rows: attempts } = await c.query<AttemptRow>(
    `select delivery_id, attempt, outcome, status_code, latency_ms, error, attempted_at, next_attempt_at
     from webhook_delivery_attempts where delivery_id = any($1::uuid[]) order by delivery_id, attempt`,
    [rows.map((r) => r.id)],
  );
  const byDelivery = new Map<string, DeliveryAttemptView[]>();
  for (const a of attempts) {
    const list = byDelivery.get(a.delivery_id) ?? [];
    list.push({
      attempt: a.attempt,
      outcome: a.outcome,
      statusCode: a.status_code,
      latencyMs: a.latency_ms,
      error: a.error,
      attemptedAt: a.attempted_at.toISOString(),
      nextAttemptAt: a.next_attempt_at?.toISOString() ?? null,
    });
    byDelivery.set(a.delivery_id, list);
  }
  return rows.map((r) => ({
    id: r.id,
    namespace: r.namespace,
    webhookId: r.webhook_id,
    eventId: r.event_id,
    eventType: r.event_type,
    target: r.target,
    endpointId: r.endpoint_id,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.status === 'pending' ? r.next_attempt_at.toISOString() : null,
    lastStatusCode: r.last_status_code,
    lastError: r.last_error,
    createdAt: r.created_at.toISOString(),
    deliveredAt: r.delivered_at?.toISOString() ?? null,
    history: byDelivery.get(r.id) ?? [],
  }));
}

export const deliveriesReadModel = {
  async list(c: PoolClient, f: DeliveryFilter): Promise<DeliveryView[]> {
    const conds: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      conds.push(sql.replace('?', `$${params.length}`));
    };
    if (f.namespace !== undefined) add('namespace = ?', f.namespace);
    if (f.status !== undefined) add('status = ?', f.status);
    if (f.webhookId !== undefined) add('webhook_id = ?', f.webhookId);
    if (f.endpointId !== undefined) add('endpoint_id = ?', f.endpointId);
    params.push(f.limit);
    const { rows } = await c.query<Row>(
      `select ${COLUMNS} from webhook_deliveries ${conds.length ? `where ${conds.join(' and ')}` : ''} order by created_at desc, id limit $${params.length}`,
      params,
    );
    return withHistory(c, rows);
  },

  async get(c: PoolClient, id: string): Promise<DeliveryView | undefined> {
    const { rows } = await c.query<Row>(`select ${COLUMNS} from webhook_deliveries where id = $1`, [id]);
    return (await withHistory(c, rows))[0];
  },

  /** Members see their namespace (RLS); admins every namespace, including operator deliveries. */
  scoped<T>(db: Database, principal: Pick<Principal, 'namespace' | 'role'>, fn: (c: PoolClient) => Promise<T>): Promise<T> {
    return principal.role === 'admin' ? db.asAdmin(fn) : db.tenant(principal.namespace, fn);
  },
};
