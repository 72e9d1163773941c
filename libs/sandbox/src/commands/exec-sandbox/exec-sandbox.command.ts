import type { CommandMeta } from '@cave/kernel';
import type { OutputChunk } from '../../runtimes/runtime.types';

/** Run code (javascript) or the uploaded module (wasi) in a running sandbox. `body` is parsed by the domain. */
export class ExecSandboxCommand {
  constructor(
    readonly sandboxId: string,
    readonly body: unknown,
    readonly meta: CommandMeta,
    /** Sees each output chunk as it is produced, besides realtime (the MCP edge turns them into progress). */
    readonly onOutput?: (chunk: OutputChunk) => void,
  ) {}
}

export interface ExecResult {
  execId: string;
  exitCode: number;
  stdout: string;
  stderr: string;
  truncated: boolean;
  durationMs: number;
  error?: { code: 'TIMEOUT' | 'OOM' | 'RUNTIME_ERROR'; message: string };
}
