/**
 * The sandbox context's use cases for other edges (MCP): the same commands and queries its REST controller
 * dispatches, and the public shape of a sandbox. An edge builds these and sends them over the buses.
 */
export { CreateSandboxCommand } from '../commands/create-sandbox/create-sandbox.command';
export { TransitionSandboxCommand } from '../commands/transition-sandbox/transition-sandbox.command';
export type { SandboxCommandResult } from '../commands/sandbox.stream';
export type { SandboxStatus, SandboxTransition } from '../domain/sandbox.lifecycle';
export { GetSandboxQuery } from '../queries/get-sandbox/get-sandbox.query';
export { GetSandboxEventsQuery } from '../queries/get-sandbox-events/get-sandbox-events.query';
export type { SandboxEventPage } from '../queries/get-sandbox-events/get-sandbox-events.query';
export { ListSandboxesQuery } from '../queries/list-sandboxes/list-sandboxes.query';
export type { SandboxPage } from '../queries/list-sandboxes/list-sandboxes.query';
export { SANDBOX_PAGE } from '../queries/list-sandboxes/list-sandboxes.query';
export { EVENT_PAGE } from '../queries/get-sandbox-events/get-sandbox-events.query';
export type { SandboxView } from '../projections/sandbox.read-model';
export { toSandboxDto } from '../http/sandbox.mapper';
export type { SandboxDto } from '../http/sandbox.dto';
export { ExecSandboxCommand } from '../commands/exec-sandbox/exec-sandbox.command';
export type { ExecResult } from '../commands/exec-sandbox/exec-sandbox.command';
export { CreateSnapshotCommand } from '../commands/create-snapshot/create-snapshot.command';
export type { SnapshotView } from '../commands/create-snapshot/create-snapshot.command';
export { RestoreSnapshotCommand } from '../commands/restore-snapshot/restore-snapshot.command';
export { ForkSandboxCommand } from '../commands/fork-sandbox/fork-sandbox.command';
export { EXEC_BOUNDS } from '../domain/runtime/exec-request';
export type { OutputChunk } from '../runtimes/runtime.types';
