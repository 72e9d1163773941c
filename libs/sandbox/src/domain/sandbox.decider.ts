import type { Decider } from '@cave/kernel';
import { SandboxCommand } from './sandbox.commands';
import { InvalidSandboxTransitionError, SandboxNotFoundError } from './sandbox.errors';
import { SandboxCreatedData, SandboxEvent } from '../contracts/sandbox.events';
import { SandboxStatus, statusAfter, transitionEvent } from './sandbox.lifecycle';
import { SandboxSpec } from './sandbox-spec';

export type { SandboxStatus } from './sandbox.lifecycle';

export type SandboxState = { status: 'absent' } | ({ status: SandboxStatus } & SandboxCreatedData);

export const initialSandboxState: SandboxState = { status: 'absent' };

export function decideSandbox(command: SandboxCommand, state: SandboxState): SandboxEvent[] {
  if (command.type === 'create') {
    if (state.status !== 'absent') throw new InvalidSandboxTransitionError(command.data.sandboxId, state.status, 'create');
    const { sandboxId, ...spec } = command.data;
    // The aggregate holds its own rules whichever edge sent the command (the DTO only describes them).
    return [{ type: 'sandbox_created', data: { sandboxId, ...SandboxSpec.parse(spec) } }];
  }
  if (state.status === 'absent') throw new SandboxNotFoundError(command.sandboxId);
  const type = transitionEvent(command.type, state.status);
  if (type === undefined) throw new InvalidSandboxTransitionError(command.sandboxId, state.status, command.type);
  return [{ type, data: { sandboxId: command.sandboxId } }];
}

export function evolveSandbox(state: SandboxState, event: SandboxEvent): SandboxState {
  if (event.type === 'sandbox_created') return { status: statusAfter(event.type), ...event.data };
  return state.status === 'absent' ? state : { ...state, status: statusAfter(event.type) };
}

export const sandboxDecider: Decider<SandboxCommand, SandboxState, SandboxEvent> = {
  initialState: initialSandboxState,
  decide: decideSandbox,
  evolve: evolveSandbox,
};
