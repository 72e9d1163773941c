import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { Database } from '@cave/event-store';
import { SandboxNotFoundError } from '../domain/sandbox.errors';
import { DEFAULT_POLICY, NamespacePolicy } from '../domain/runtime/namespace-policy';
import { SANDBOX_COLUMNS, SandboxRow, SandboxView, toSandboxView } from '../projections/sandbox.read-model';

export interface StateRow {
  version: number;
  imageSha256: string | null;
  moduleSha256: string | null;
  moduleBytes: number | null;
  headSnapshot: string | null;
}

export interface SnapshotRow {
  id: string;
  sandboxId: string;
  parentId: string | null;
  sha256: string;
  sizeBytes: number;
  rawBytes: number;
  variant: string;
  variantVersion: string;
  createdAt: Date;
}

const SNAPSHOT_COLUMNS = `id, sandbox_id as "sandboxId", parent_id as "parentId", sha256, size_bytes as "sizeBytes", raw_bytes as "rawBytes",
  variant, variant_version as "variantVersion", created_at as "createdAt"`;

const EXEC_PLAN = {
  name: 'sandbox_exec_plan_v2',
  text: `select ${SANDBOX_COLUMNS},
                (select policy from namespace_policies) as policy,
                coalesce((select version from namespace_policies), 0) as policy_version,
                (select row_to_json(st) from (
                   select version, image_sha256 as "imageSha256", module_sha256 as "moduleSha256", module_bytes as "moduleBytes", head_snapshot as "headSnapshot"
                   from sandbox_states where sandbox_id = $1::uuid) st) as durable_state
         from sandboxes where id = $1::uuid`,
};

/**
 * SQL of the runtime tables (migration 1733600000000). Every call runs as `cave_app` inside a tenant
 * transaction (RLS), so another namespace's sandbox, state, snapshot or blob is simply not there.
 */
@Injectable()
export class SandboxRuntimeRepository {
  constructor(readonly db: Database) {}

  /**
   * What an exec decides on, in ONE tenant round trip (`Database.tenantQuery`, one statement, one snapshot): the
   * sandbox, its namespace's policy (and that policy's version, 0 for none set) and its durable state. Throws
   * SandboxNotFoundError for an id the tenant cannot see.
   */
  async execPlan(namespace: string, sandboxId: string): Promise<{ sandbox: SandboxView; policy: NamespacePolicy; policyVersion: number; state: StateRow }> {
    const { rows } = await this.db.tenantQuery<SandboxRow & { policy: NamespacePolicy | null; policy_version: number; durable_state: StateRow | null }>(
      namespace,
      EXEC_PLAN,
      [sandboxId],
    );
    if (rows.length === 0) throw new SandboxNotFoundError(sandboxId);
    const { policy, policy_version: policyVersion, durable_state: state, ...row } = rows[0];
    return {
      sandbox: toSandboxView(row),
      policy: policy ?? DEFAULT_POLICY,
      policyVersion: Number(policyVersion),
      state: state ?? { version: 0, imageSha256: null, moduleSha256: null, moduleBytes: null, headSnapshot: null },
    };
  }

  async sandbox(c: PoolClient, sandboxId: string, lock?: 'share' | 'no key update' | 'update'): Promise<SandboxView> {
    const { rows } = await c.query<SandboxRow>(`select ${SANDBOX_COLUMNS} from sandboxes where id = $1${lock ? ` for ${lock}` : ''}`, [sandboxId]);
    if (rows.length === 0) throw new SandboxNotFoundError(sandboxId);
    return toSandboxView(rows[0]);
  }

  async policy(c: PoolClient): Promise<NamespacePolicy> {
    const { rows } = await c.query<{ policy: NamespacePolicy }>(`select policy from namespace_policies`);
    return rows[0]?.policy ?? DEFAULT_POLICY;
  }

  async liveSandboxCount(c: PoolClient): Promise<number> {
    return (await c.query<{ n: number }>(`select count(*)::int as n from sandboxes where state <> 'deleted'`)).rows[0].n;
  }

  async state(c: PoolClient, sandboxId: string, lock = false): Promise<StateRow> {
    const { rows } = await c.query<StateRow>(
      `select version, image_sha256 as "imageSha256", module_sha256 as "moduleSha256", module_bytes as "moduleBytes", head_snapshot as "headSnapshot"
       from sandbox_states where sandbox_id = $1${lock ? ' for update' : ''}`,
      [sandboxId],
    );
    return rows[0] ?? { version: 0, imageSha256: null, moduleSha256: null, moduleBytes: null, headSnapshot: null };
  }

  async stateImage(c: PoolClient, sandboxId: string, version: number): Promise<Buffer | undefined> {
    const { rows } = await c.query<{ image: Buffer }>(`select image from sandbox_states where sandbox_id = $1 and version = $2`, [sandboxId, version]);
    return rows[0]?.image ?? undefined;
  }

  /** Compare-and-set of the durable state: true when `expected` was still the version. */
  async writeState(c: PoolClient, namespace: string, sandboxId: string, expected: number, image: Uint8Array, sha256: string, headSnapshot?: string | null): Promise<boolean> {
    const bytes = Buffer.from(image.buffer, image.byteOffset, image.byteLength);
    if (expected === 0) {
      const r = await c.query(
        `insert into sandbox_states (sandbox_id, namespace, version, image, image_sha256, head_snapshot) values ($1, $2, 1, $3, $4, $5)
         on conflict (sandbox_id) do update set version = 1, image = excluded.image, image_sha256 = excluded.image_sha256,
           head_snapshot = coalesce(excluded.head_snapshot, sandbox_states.head_snapshot), updated_at = now()
         where sandbox_states.version = 0`,
        [sandboxId, namespace, bytes, sha256, headSnapshot ?? null],
      );
      return r.rowCount === 1;
    }
    const r = await c.query(
      `update sandbox_states set version = version + 1, image = $3, image_sha256 = $4, updated_at = now(),
         head_snapshot = case when $5::boolean then $6::uuid else head_snapshot end
       where sandbox_id = $1 and version = $2`,
      [sandboxId, expected, bytes, sha256, headSnapshot !== undefined, headSnapshot ?? null],
    );
    return r.rowCount === 1;
  }

  async setModule(c: PoolClient, namespace: string, sandboxId: string, sha256: string, size: number): Promise<void> {
    await c.query(
      `insert into sandbox_states (sandbox_id, namespace, version, module_sha256, module_bytes) values ($1, $2, 0, $3, $4)
       on conflict (sandbox_id) do update set module_sha256 = excluded.module_sha256, module_bytes = excluded.module_bytes, updated_at = now()`,
      [sandboxId, namespace, sha256, size],
    );
  }

  /** Modules and images stored before they moved to object storage (`SandboxBlobs` reads here as a fallback). */
  async blob(c: PoolClient, sha256: string): Promise<Buffer | undefined> {
    return (await c.query<{ bytes: Buffer }>(`select bytes from sandbox_blobs where sha256 = $1`, [sha256])).rows[0]?.bytes;
  }

  async insertSnapshot(c: PoolClient, namespace: string, s: Omit<SnapshotRow, 'createdAt'>): Promise<SnapshotRow> {
    const { rows } = await c.query<SnapshotRow>(
      `insert into sandbox_snapshots (id, namespace, sandbox_id, parent_id, sha256, size_bytes, raw_bytes, variant, variant_version)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning ${SNAPSHOT_COLUMNS}`,
      [s.id, namespace, s.sandboxId, s.parentId, s.sha256, s.sizeBytes, s.rawBytes, s.variant, s.variantVersion],
    );
    await c.query(`update sandbox_states set head_snapshot = $2 where sandbox_id = $1`, [s.sandboxId, s.id]);
    return rows[0];
  }

  async snapshot(c: PoolClient, snapshotId: string): Promise<SnapshotRow | undefined> {
    return (await c.query<SnapshotRow>(`select ${SNAPSHOT_COLUMNS} from sandbox_snapshots where id = $1`, [snapshotId])).rows[0];
  }

  async snapshots(c: PoolClient, sandboxId: string): Promise<SnapshotRow[]> {
    return (await c.query<SnapshotRow>(`select ${SNAPSHOT_COLUMNS} from sandbox_snapshots where sandbox_id = $1 order by created_at, id`, [sandboxId])).rows;
  }

  /** A deleted sandbox's snapshots and state disappear from what tenants can read; its events stay. */
  async forget(c: PoolClient, sandboxId: string): Promise<void> {
    await c.query(`delete from sandbox_snapshots where sandbox_id = $1`, [sandboxId]);
    await c.query(`delete from sandbox_states where sandbox_id = $1`, [sandboxId]);
  }
}
