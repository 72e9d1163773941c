/**
 * What crosses the boundary between the daemon and a sandbox worker thread. Plain data only
 * (structured clone): no functions, no host objects, so nothing of the daemon can reach a guest.
 */
export type ExecErrorCode = 'TIMEOUT' | 'OOM' | 'RUNTIME_ERROR';
export type OutputStream = 'stdout' | 'stderr';

export interface ExecLimits {
  memoryMb: number;
  /** Wall-clock budget of this exec (already bounded by the sandbox's limit). */
  timeoutMs: number;
  maxOutputBytes: number;
}

export interface JsExecJob {
  kind: 'javascript';
  code: string;
  limits: ExecLimits;
  /**
   * Persistent mode: the state this exec continues from. `version` names the durable state the
   * worker may already hold in memory; `image` (a snapshot codec blob) is sent when it does not.
   */
  persistent?: { key: string; version: number; image?: Uint8Array };
}

export interface WasiExecJob {
  kind: 'wasi';
  moduleSha256: string;
  /** Sent when the worker asked for it (it caches compiled modules by hash). */
  module?: Uint8Array;
  args: string[];
  env: Record<string, string>;
  stdin: string;
  limits: ExecLimits;
}

export type ExecJob = JsExecJob | WasiExecJob;

export interface ExecOutcome {
  exitCode: number;
  stdout: string;
  stderr: string;
  truncated: boolean;
  stdoutBytes: number;
  stderrBytes: number;
  /** SHA-256 (hex) of the full, untruncated stream. */
  stdoutSha256: string;
  stderrSha256: string;
  durationMs: number;
  error?: { code: ExecErrorCode; message: string };
  /** Persistent mode: the state after this exec (snapshot codec blob). */
  state?: { image: Uint8Array; sha256: string; rawBytes: number };
}

export interface OutputChunk {
  stream: OutputStream;
  chunk: string;
  seq: number;
}

/** Exit codes when the runtime, not the guest, ended an exec (shell conventions). */
export const EXIT_CODE = { ok: 0, runtimeError: 1, timeout: 124, oom: 137 } as const;
