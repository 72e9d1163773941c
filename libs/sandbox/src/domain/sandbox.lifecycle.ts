import type { SandboxEvent, SandboxEventType } from '../contracts/sandbox.events';

export type SandboxStatus = 'created' | 'running' | 'stopped' | 'deleted';

export const SANDBOX_STATUSES: readonly SandboxStatus[] = ['created', 'running', 'stopped', 'deleted'];

/**
 * The one source of truth of the lifecycle. `statusAfter` says what each event makes a sandbox; the decider's
 * `evolve`, the `sandboxes` SQL projection and the time-travel fold all read it. `TRANSITIONS` says which
 * status an action may start from and which event it records; a new transition is a row here, an event in
 * `sandbox.events.ts` and a route.
 */
const STATUS_AFTER: Record<SandboxEventType, SandboxStatus> = {
  sandbox_created: 'created',
  sandbox_started: 'running',
  sandbox_stopped: 'stopped',
  sandbox_deleted: 'deleted',
};

export function statusAfter(event: SandboxEventType): SandboxStatus {
  return STATUS_AFTER[event];
}

/** An event a transition records: every lifecycle event but the creation. */
export type TransitionEvent = Exclude<SandboxEvent, { type: 'sandbox_created' }>['type'];

/**
 * Allowed transitions. `delete` needs a sandbox that is not running, so a running workload is always
 * stopped (and its stop recorded) before it disappears.
 */
export const TRANSITIONS = {
  start: { records: 'sandbox_started', from: ['created', 'stopped'] },
  stop: { records: 'sandbox_stopped', from: ['running'] },
  delete: { records: 'sandbox_deleted', from: ['created', 'stopped'] },
} as const satisfies Record<string, { records: TransitionEvent; from: readonly SandboxStatus[] }>;

export type SandboxTransition = keyof typeof TRANSITIONS;

/** The event `action` records when the sandbox is `status`, or undefined when that transition is not allowed. */
export function transitionEvent(action: SandboxTransition, status: SandboxStatus): TransitionEvent | undefined {
  const t = TRANSITIONS[action];
  return (t.from as readonly SandboxStatus[]).includes(status) ? t.records : undefined;
}
