export { SandboxModule } from './sandbox.module';
export { isSandboxEvent, SANDBOX_EVENT_TYPES, SANDBOX_STREAM_TYPE, sandboxStreamId } from './contracts/sandbox.events';
export type { SandboxCreatedData, SandboxEvent, SandboxEventType, SandboxLimits, SandboxMode, SandboxRuntime } from './contracts/sandbox.events';
export { sandboxViewFold } from './contracts/sandbox-view.fold';
