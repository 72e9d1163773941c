export { SandboxModule } from './sandbox.module';
export type { SandboxEvent, SandboxEventType, SandboxCreatedData, SandboxLimits } from './domain/sandbox.events';
export { SANDBOX_STREAM_TYPE, SANDBOX_EVENT_TYPES, sandboxStreamId } from './domain/sandbox.events';
export { projectSandboxEvent } from './projections/sandboxes.projection';
export type { ProjectableSandboxEvent, SqlStatement } from './projections/sandboxes.projection';
export { sandboxViewFold } from './projections/sandbox-view.fold';
export * from './contracts/sandbox.api';
export * from './contracts/sandbox-input.schemas';
