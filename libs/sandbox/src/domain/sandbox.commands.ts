import type { SandboxTransition } from './sandbox.lifecycle';
import type { SandboxCreatedData } from '../contracts/sandbox.events';

/** What a caller asks the aggregate to do; `decide` checks every rule (SandboxSpec) itself. */
export type SandboxCommand =
  | { type: 'create'; data: SandboxCreatedData }
  | { type: SandboxTransition; sandboxId: string };
