import { ExecInvalidError } from './sandbox-runtime.errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The `snapshotId` of a restore or fork body. */
export function parseSnapshotId(body: unknown): string {
  const id = (typeof body === 'object' && body !== null ? (body as { snapshotId?: unknown }).snapshotId : undefined) ?? body;
  if (typeof id !== 'string' || !UUID.test(id)) throw new ExecInvalidError('snapshotId must be a UUID', 'snapshotId');
  return id.toLowerCase();
}
