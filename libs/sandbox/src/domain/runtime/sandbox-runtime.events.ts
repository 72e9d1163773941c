import type { ExecErrorCode } from '../../runtimes/runtime.types';

/**
 * Facts about what ran in a sandbox, in a stream of their own (`sandbox-runtime-<id>`, ADR 0014): the
 * lifecycle stream stays short to fold, and a busy sandbox's execs never conflict with its start/stop.
 */
export const SANDBOX_RUNTIME_STREAM_TYPE = 'sandbox_runtime';

export function sandboxRuntimeStreamId(sandboxId: string): string {
  return `sandbox-runtime-${sandboxId}`;
}

export interface SandboxExecData {
  sandboxId: string;
  execId: string;
  exitCode: number;
  durationMs: number;
  error?: { code: ExecErrorCode; message: string };
  truncated: boolean;
  stdoutBytes: number;
  stderrBytes: number;
  /** SHA-256 of the full streams; the excerpts are bounded by `limits.maxOutputBytes` together. */
  stdoutSha256: string;
  stderrSha256: string;
  stdoutExcerpt: string;
  stderrExcerpt: string;
  /** Persistent mode: the durable state version this exec produced. */
  stateVersion?: number;
}

export type SandboxRuntimeEvent =
  | { type: 'sandbox_exec'; data: SandboxExecData }
  | { type: 'sandbox_module_uploaded'; data: { sandboxId: string; sha256: string; sizeBytes: number } }
  | {
      type: 'sandbox_snapshot_created';
      data: { sandboxId: string; snapshotId: string; parentId: string | null; sha256: string; sizeBytes: number; variant: string; variantVersion: string };
    }
  | { type: 'sandbox_restored'; data: { sandboxId: string; snapshotId: string; stateVersion: number } }
  | { type: 'sandbox_forked'; data: { sandboxId: string; fromSandboxId: string; snapshotId: string } };

export const POLICY_STREAM_TYPE = 'namespace_policy';

export function policyStreamId(namespace: string): string {
  return `namespace-policy-${namespace}`;
}
