export { SandboxModule } from './sandbox.module';
export { isSandboxEvent, SANDBOX_EVENT_TYPES, SANDBOX_STREAM_TYPE, sandboxStreamId } from './contracts/sandbox.events';
export type { SandboxCreatedData, SandboxEvent, SandboxEventType, SandboxLimits, SandboxMode, SandboxRuntime } from './contracts/sandbox.events';
export { sandboxViewFold } from './contracts/sandbox-view.fold';
export {
  CreateSandboxCommand,
  CreateSnapshotCommand,
  EVENT_PAGE,
  EXEC_BOUNDS,
  ExecSandboxCommand,
  ForkSandboxCommand,
  GetSandboxEventsQuery,
  GetSandboxQuery,
  ListSandboxesQuery,
  RestoreSnapshotCommand,
  SANDBOX_PAGE,
  toSandboxDto,
  TransitionSandboxCommand,
} from './contracts/sandbox.api';
export { createSandboxInputSchema, listSandboxesInputSchema, sandboxEventsInputSchema, sandboxIdSchema } from './contracts/sandbox-input.schemas';
export type {
  ExecResult,
  OutputChunk,
  SandboxCommandResult,
  SandboxDto,
  SandboxEventPage,
  SandboxPage,
  SandboxStatus,
  SandboxTransition,
  SandboxView,
  SnapshotView,
} from './contracts/sandbox.api';
