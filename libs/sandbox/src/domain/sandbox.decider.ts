import type { Decider } from '@cave/event-store';
import { SandboxCommand } from './sandbox.commands';
import { InvalidSandboxTransitionError, SandboxNotFoundError } from './sandbox.errors';
import { SandboxCreatedData, SandboxEvent } from './sandbox.events';

export type SandboxStatus = 'created' | 'running' | 'stopped' | 'deleted';

export type SandboxState = { status: 'absent' } | ({ status: SandboxStatus } & SandboxCreatedData);

export const initialSandboxState: SandboxState = { status: 'absent' };

/**
 * Allowed transitions. `delete` needs a sandbox that is not running, so a running workload is
 * always stopped (and its stop recorded) before it disappears.
 */
type TransitionEvent = Exclude<SandboxEvent['type'], 'sandbox_created'>;

const NEXT: Record<Exclude<SandboxCommand['type'], 'create'>, Partial<Record<SandboxStatus, TransitionEvent>>> = {
  start: { created: 'sandbox_started', stopped: 'sandbox_started' },
  stop: { running: 'sandbox_stopped' },
  delete: { created: 'sandbox_deleted', stopped: 'sandbox_deleted' },
};

export function decideSandbox(command: SandboxCommand, state: SandboxState): SandboxEvent[] {
  switch (command.type) {
    case 'create':
      if (state.status !== 'absent') throw new InvalidSandboxTransitionError(command.data.sandboxId, state.status, 'create');
      return [{ type: 'sandbox_created', data: command.data }];
    case 'start':
    case 'stop':
    case 'delete': {
      if (state.status === 'absent') throw new SandboxNotFoundError(command.sandboxId);
      const type = NEXT[command.type][state.status];
      if (type === undefined) throw new InvalidSandboxTransitionError(command.sandboxId, state.status, command.type);
      return [{ type, data: { sandboxId: command.sandboxId } }];
    }
    default: {
      const unknown: never = command;
      throw new Error(`unknown sandbox command ${JSON.stringify(unknown)}`);
    }
  }
}

export function evolveSandbox(state: SandboxState, event: SandboxEvent): SandboxState {
  switch (event.type) {
    case 'sandbox_created':
      return { status: 'created', ...event.data };
    case 'sandbox_started':
      return state.status === 'absent' ? state : { ...state, status: 'running' };
    case 'sandbox_stopped':
      return state.status === 'absent' ? state : { ...state, status: 'stopped' };
    case 'sandbox_deleted':
      return state.status === 'absent' ? state : { ...state, status: 'deleted' };
    default: {
      const unknown: never = event;
      throw new Error(`unknown sandbox event ${JSON.stringify(unknown)}`);
    }
  }
}

export const sandboxDecider: Decider<SandboxCommand, SandboxState, SandboxEvent> = {
  initialState: initialSandboxState,
  decide: decideSandbox,
  evolve: evolveSandbox,
};
