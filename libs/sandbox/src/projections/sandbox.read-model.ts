import type { Database } from '@cave/event-store';
import { SandboxNotFoundError } from '../domain/sandbox.errors';
import { SandboxLimits, SandboxMode, SandboxRuntime } from '../contracts/sandbox.events';
import { SandboxStatus } from '../domain/sandbox.lifecycle';

/** One row of the `sandboxes` read model as the queries and commands see it. */
export interface SandboxView {
  id: string;
  namespace: string;
  name: string;
  runtime: SandboxRuntime;
  mode: SandboxMode;
  state: SandboxStatus;
  limits: SandboxLimits;
  labels: Record<string, string>;
  version: number;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
  createdPosition: number;
}

export const SANDBOX_COLUMNS =
  'id, namespace, name, runtime, mode, state, limits, labels, version, created_by, created_at, updated_at, created_position';

export interface SandboxRow {
  id: string;
  namespace: string;
  name: string;
  runtime: SandboxRuntime;
  mode: SandboxMode;
  state: SandboxStatus;
  limits: SandboxLimits;
  labels: Record<string, string>;
  version: number;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
  created_position: string;
}

export function toSandboxView(r: SandboxRow): SandboxView {
  return {
    id: r.id,
    namespace: r.namespace,
    name: r.name,
    runtime: r.runtime,
    mode: r.mode,
    state: r.state,
    limits: r.limits,
    labels: r.labels,
    version: r.version,
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    createdPosition: Number(r.created_position),
  };
}

/** Named: the hottest read, prepared once per pooled connection and batched with concurrent reads. */
const SANDBOX_BY_ID = { name: 'sandbox_by_id_v1', text: `select ${SANDBOX_COLUMNS} from sandboxes where id = $1::uuid` };

/**
 * One sandbox as `cave_app` under the caller's namespace: another tenant's id is simply absent (RLS, with the
 * namespace set in the same round trip as the read: `Database.tenantQuery`).
 */
export async function readSandbox(db: Database, namespace: string, sandboxId: string): Promise<SandboxView> {
  const { rows } = await db.tenantQuery<SandboxRow>(namespace, SANDBOX_BY_ID, [sandboxId]);
  if (rows.length === 0) throw new SandboxNotFoundError(sandboxId);
  return toSandboxView(rows[0]);
}
