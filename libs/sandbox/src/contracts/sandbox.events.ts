/** Stream type and id scheme of the sandbox aggregate. */
export const SANDBOX_STREAM_TYPE = 'sandbox';

export function sandboxStreamId(sandboxId: string): string {
  return `sandbox-${sandboxId}`;
}

export type SandboxRuntime = 'javascript' | 'wasi';
export type SandboxMode = 'quick' | 'persistent';

export interface SandboxLimits {
  memoryMb: number;
  timeoutMs: number;
  maxOutputBytes: number;
}

export interface SandboxCreatedData {
  sandboxId: string;
  name: string;
  runtime: SandboxRuntime;
  mode: SandboxMode;
  limits: SandboxLimits;
  labels: Record<string, string>;
}

/** Persisted facts; `type` strings and payload shapes are a public contract (schema version 1). */
export type SandboxEvent =
  | { type: 'sandbox_created'; data: SandboxCreatedData }
  | { type: 'sandbox_started'; data: { sandboxId: string } }
  | { type: 'sandbox_stopped'; data: { sandboxId: string } }
  | { type: 'sandbox_deleted'; data: { sandboxId: string } };

export type SandboxEventType = SandboxEvent['type'];

export const SANDBOX_EVENT_TYPES: readonly SandboxEventType[] = ['sandbox_created', 'sandbox_started', 'sandbox_stopped', 'sandbox_deleted'];

export function isSandboxEvent(e: { type: string; data: unknown }): e is SandboxEvent {
  return (SANDBOX_EVENT_TYPES as readonly string[]).includes(e.type);
}
