import type { SandboxEvent } from '../domain/sandbox.events';

/**
 * In-process notification published on the CQRS EventBus after a sandbox command committed.
 * Never a source of truth: durable consumers read the event store from a checkpoint.
 */
export class SandboxChangedNotification {
  constructor(
    readonly namespace: string,
    readonly sandboxId: string,
    readonly event: SandboxEvent,
    readonly streamVersion: number,
    readonly globalPosition: number,
  ) {}
}
