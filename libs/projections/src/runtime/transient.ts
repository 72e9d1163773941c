import { CheckpointMovedError } from './checkpoint.store';

/** SQLSTATE classes worth retrying as they are: connection loss, shutdown, lock timeout, serialization. */
const TRANSIENT_CODE = /^(08|53|57P0|40001|40P01|55P03)/;
const TRANSIENT_MESSAGE = /Connection terminated|ECONNREFUSED|ECONNRESET|connection error|timeout exceeded when trying to connect|Client was closed/i;

/**
 * True for failures that say nothing about the event being applied (the database went away, a
 * lock timed out, another instance moved the checkpoint): retried with backoff. Anything else thrown
 * while applying a batch is treated as a poison event and stops the projector visibly.
 */
export function isTransient(e: unknown): boolean {
  if (e instanceof CheckpointMovedError) return true;
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && TRANSIENT_CODE.test(code)) return true;
  return e instanceof Error && TRANSIENT_MESSAGE.test(e.message);
}
