import type { CommandMeta } from '@cave/kernel';

/**
 * In-process notification the CommandRunner publishes on the CQRS EventBus for each event of a command,
 * after its transaction committed. Never a source of truth: durable consumers (projections, audit,
 * webhooks) read the event store from a checkpoint; this only lets in-process code react at once.
 */
export class EventCommitted {
  constructor(
    readonly namespace: string,
    readonly streamType: string,
    readonly streamId: string,
    readonly event: { type: string; data: unknown },
    readonly streamVersion: number,
    readonly globalPosition: number,
    readonly meta: CommandMeta,
  ) {}
}
