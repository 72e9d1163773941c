import { SandboxCreatedData } from './sandbox.events';

/** What a caller asks the aggregate to do (already validated at the edge). */
export type SandboxCommand =
  | { type: 'create'; data: SandboxCreatedData }
  | { type: 'start'; sandboxId: string }
  | { type: 'stop'; sandboxId: string }
  | { type: 'delete'; sandboxId: string };

export type SandboxAction = SandboxCommand['type'];
