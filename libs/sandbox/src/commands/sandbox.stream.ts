import type { CommandOutcome, CommandStream, Database, RecordedEvent } from '@cave/event-store';
import { SandboxCommand } from '../domain/sandbox.commands';
import { sandboxDecider, SandboxState } from '../domain/sandbox.decider';
import { isSandboxEvent, SANDBOX_STREAM_TYPE, SandboxEvent } from '../contracts/sandbox.events';
import { readSandbox, SandboxView } from '../projections/sandbox.read-model';

function toSandboxEvent(e: RecordedEvent): SandboxEvent {
  const plain = { type: e.type, data: e.data };
  if (!isSandboxEvent(plain)) throw new Error(`stream ${e.streamId} holds a non-sandbox event ${e.type}`);
  return plain;
}

/** The sandbox aggregate as the CommandRunner runs it. */
export const sandboxStream: CommandStream<SandboxCommand, SandboxState, SandboxEvent> = {
  decider: sandboxDecider,
  streamType: SANDBOX_STREAM_TYPE,
  toEvent: toSandboxEvent,
};

export interface SandboxCommandResult {
  sandbox: SandboxView;
  /** True when an earlier command with the same idempotency key already did this. */
  replayed: boolean;
}

/**
 * The sandbox after a command: the row its inline projection returned, or, for an idempotent replay that
 * appended (and projected) nothing, the row as it is now.
 */
export async function sandboxResult(
  outcome: CommandOutcome<SandboxState, SandboxEvent, SandboxView>,
  db: Database,
  namespace: string,
  sandboxId: string,
): Promise<SandboxCommandResult> {
  return { sandbox: outcome.projected ?? (await readSandbox(db, namespace, sandboxId)), replayed: outcome.events.length === 0 };
}
