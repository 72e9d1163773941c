import {
  createSandboxInputSchema,
  CreateSandboxCommand,
  SandboxCommandResult,
  sandboxIdSchema,
  SandboxTransition,
  toSandboxDto,
  TransitionSandboxCommand,
} from '@cave/sandbox';
import { McpTool, ObjectSchema, ToolOutput } from './mcp-tool';
import { renderSandbox } from './render';

function sandboxOutput(result: SandboxCommandResult, verb: string): ToolOutput {
  const sandbox = toSandboxDto(result.sandbox);
  return { structured: { sandbox, replayed: result.replayed }, text: `${verb} ${renderSandbox(sandbox)}${result.replayed ? ' (idempotent replay)' : ''}` };
}

export const createSandboxTool: McpTool = {
  name: 'sandbox_create',
  title: 'Create a sandbox',
  description: 'Creates a sandbox in your namespace (state `created`, version 1); records `sandbox_created`. Same rules as POST /api/v1/sandboxes.',
  inputSchema: createSandboxInputSchema as unknown as ObjectSchema,
  annotations: { destructiveHint: false, idempotentHint: false, openWorldHint: false },
  mutating: true,
  run: async (args, call) => sandboxOutput(await call.commands.execute(new CreateSandboxCommand(args, call.meta)), 'created'),
};

const transitionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: {
    id: sandboxIdSchema,
    expectedVersion: { type: 'integer', minimum: 1, description: 'Fail with HTTP.PRECONDITION_FAILED unless the sandbox is at this version (REST: If-Match)' },
  },
} satisfies ObjectSchema;

function transitionTool(action: SandboxTransition, title: string, description: string, destructive: boolean): McpTool {
  return {
    name: `sandbox_${action}`,
    title,
    description,
    inputSchema: transitionSchema,
    annotations: { destructiveHint: destructive, idempotentHint: false, openWorldHint: false },
    mutating: true,
    run: async (args, call) => {
      const command = new TransitionSandboxCommand((args.id as string).toLowerCase(), action, call.meta, args.expectedVersion as number | undefined);
      return sandboxOutput(await call.commands.execute(command), `${action}:`);
    },
  };
}

export const startSandboxTool = transitionTool('start', 'Start a sandbox', 'Starts a created or stopped sandbox; records `sandbox_started`.', false);
export const stopSandboxTool = transitionTool('stop', 'Stop a sandbox', 'Stops a running sandbox; records `sandbox_stopped`.', false);
export const deleteSandboxTool = transitionTool(
  'delete',
  'Delete a sandbox',
  'Deletes a created or stopped sandbox; records `sandbox_deleted`. Its history stays readable.',
  true,
);
