import {
  CreateSnapshotCommand,
  EXEC_BOUNDS,
  ExecResult,
  ExecSandboxCommand,
  ForkSandboxCommand,
  RestoreSnapshotCommand,
  sandboxIdSchema,
  SandboxCommandResult,
  SnapshotView,
  toSandboxDto,
} from '@cave/sandbox';
import { McpTool, ObjectSchema } from './mcp-tool';
import { renderSandbox } from './render';

const snapshotRefSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'snapshotId'],
  properties: { id: sandboxIdSchema, snapshotId: { ...sandboxIdSchema, description: 'Snapshot id (a UUID)' } },
} satisfies ObjectSchema;

/** The exec input parseExecRequest accepts; byte bounds are re-checked by the domain (a character is 1-4 bytes). */
const execSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: {
    id: sandboxIdSchema,
    code: { type: 'string', maxLength: EXEC_BOUNDS.codeBytes, description: 'javascript: the script to run (required); wasi: not allowed' },
    args: { type: 'array', maxItems: EXEC_BOUNDS.args, items: { type: 'string', maxLength: EXEC_BOUNDS.argBytes }, description: 'wasi: argv after the program name' },
    stdin: { type: 'string', maxLength: EXEC_BOUNDS.stdinBytes, description: 'wasi: bytes on fd 0 (UTF-8)' },
    env: { type: 'object', maxProperties: EXEC_BOUNDS.envEntries, additionalProperties: { type: 'string', maxLength: EXEC_BOUNDS.envBytes }, description: 'wasi: environment' },
    timeoutMs: { type: 'integer', minimum: 1, description: "Time limit of this exec; at most the sandbox's limits.timeoutMs (its default)" },
  },
} satisfies ObjectSchema;

function renderExec(r: ExecResult): string {
  const head = `exit ${r.exitCode} in ${r.durationMs} ms${r.error ? ` (${r.error.code}: ${r.error.message})` : ''}${r.truncated ? ', output truncated' : ''}`;
  return [head, r.stdout && `stdout:\n${r.stdout}`, r.stderr && `stderr:\n${r.stderr}`].filter(Boolean).join('\n');
}

function snapshotDto(s: SnapshotView): Record<string, unknown> {
  return { ...s, createdAt: new Date(s.createdAt).toISOString() };
}

export const execSandboxTool: McpTool = {
  name: 'sandbox_exec',
  title: 'Run code in a sandbox',
  description:
    'Runs code (javascript) or the uploaded module (wasi) in a running sandbox and returns exit code, stdout and stderr; records `sandbox_exec`. ' +
    'Send a progressToken to receive the output live as progress notifications. A guest TIMEOUT, OOM or RUNTIME_ERROR is a result with `error`, not a tool error.',
  inputSchema: execSchema,
  annotations: { destructiveHint: false, idempotentHint: false, openWorldHint: false },
  mutating: true,
  run: async (args, call) => {
    const { id, ...body } = args;
    const result: ExecResult = await call.commands.execute(
      new ExecSandboxCommand((id as string).toLowerCase(), body, call.meta, (chunk) => void call.progress(`${chunk.stream}: ${chunk.chunk}`)),
    );
    return { structured: { ...result }, text: renderExec(result) };
  },
};

export const snapshotSandboxTool: McpTool = {
  name: 'sandbox_snapshot',
  title: 'Snapshot a sandbox',
  description: "Snapshots a persistent sandbox's state at rest (content-addressed); records `sandbox_snapshot_created`.",
  inputSchema: { type: 'object', additionalProperties: false, required: ['id'], properties: { id: sandboxIdSchema } },
  annotations: { destructiveHint: false, idempotentHint: false, openWorldHint: false },
  mutating: true,
  run: async (args, call) => {
    const snapshot = snapshotDto(await call.commands.execute(new CreateSnapshotCommand((args.id as string).toLowerCase(), call.meta)));
    return { structured: { snapshot }, text: `snapshot ${String(snapshot.snapshotId)} of sandbox ${String(snapshot.sandboxId)} (${String(snapshot.sizeBytes)} bytes)` };
  },
};

export const restoreSandboxTool: McpTool = {
  name: 'sandbox_restore',
  title: 'Restore a snapshot',
  description: 'Backtracks a persistent sandbox to one of its snapshots; records `sandbox_restored`.',
  inputSchema: snapshotRefSchema,
  annotations: { destructiveHint: true, idempotentHint: false, openWorldHint: false },
  mutating: true,
  run: async (args, call) => {
    const result: { snapshotId: string; stateVersion: number } = await call.commands.execute(
      new RestoreSnapshotCommand((args.id as string).toLowerCase(), (args.snapshotId as string).toLowerCase(), call.meta),
    );
    return { structured: { ...result }, text: `restored snapshot ${result.snapshotId}: state version ${result.stateVersion}` };
  },
};

export const forkSandboxTool: McpTool = {
  name: 'sandbox_fork',
  title: 'Fork a sandbox from a snapshot',
  description: "Creates a new persistent sandbox whose state starts as the snapshot's; records `sandbox_created` and `sandbox_forked`.",
  inputSchema: snapshotRefSchema,
  annotations: { destructiveHint: false, idempotentHint: false, openWorldHint: false },
  mutating: true,
  run: async (args, call) => {
    const result: SandboxCommandResult = await call.commands.execute(
      new ForkSandboxCommand((args.id as string).toLowerCase(), (args.snapshotId as string).toLowerCase(), call.meta),
    );
    const sandbox = toSandboxDto(result.sandbox);
    return { structured: { sandbox, replayed: result.replayed }, text: `forked ${renderSandbox(sandbox)}` };
  },
};
