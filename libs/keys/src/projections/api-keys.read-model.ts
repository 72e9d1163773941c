import type { PoolClient } from 'pg';
import type { ApiKeyRole } from '../contracts/api-key.events';

/** What clients may see of a key: never the secret, never its hash. */
export interface ApiKeyView {
  id: string;
  namespace: string;
  name: string;
  role: ApiKeyRole;
  prefix: string;
  status: 'active' | 'revoked';
  createdAt: string;
  revokedAt: string | null;
}

interface ApiKeyRow {
  id: string;
  namespace: string;
  name: string;
  role: ApiKeyRole;
  prefix: string;
  created_at: Date;
  revoked_at: Date | null;
}

const COLUMNS = 'id, namespace, name, role, prefix, created_at, revoked_at';

function toView(r: ApiKeyRow): ApiKeyView {
  return {
    id: r.id,
    namespace: r.namespace,
    name: r.name,
    role: r.role,
    prefix: r.prefix,
    status: r.revoked_at === null ? 'active' : 'revoked',
    createdAt: r.created_at.toISOString(),
    revokedAt: r.revoked_at === null ? null : r.revoked_at.toISOString(),
  };
}

/**
 * Queries over `api_keys`. The client decides the scope: a tenant transaction (RLS) or the admin
 * role; the SQL is the same either way.
 */
export const apiKeysReadModel = {
  async list(c: PoolClient, filter: { namespace?: string }): Promise<ApiKeyView[]> {
    const where = filter.namespace === undefined ? '' : 'where namespace = $1';
    const params = filter.namespace === undefined ? [] : [filter.namespace];
    const { rows } = await c.query<ApiKeyRow>(`select ${COLUMNS} from api_keys ${where} order by created_at, id`, params);
    return rows.map(toView);
  },

  async get(c: PoolClient, id: string): Promise<ApiKeyView | undefined> {
    const { rows } = await c.query<ApiKeyRow>(`select ${COLUMNS} from api_keys where id = $1`, [id]);
    return rows.length === 0 ? undefined : toView(rows[0]);
  },
};
