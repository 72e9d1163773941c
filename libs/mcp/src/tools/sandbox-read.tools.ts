import { toRecordedEventDto } from '@cave/http';
import {
  EVENT_PAGE,
  GetSandboxEventsQuery,
  GetSandboxQuery,
  ListSandboxesQuery,
  listSandboxesInputSchema,
  SANDBOX_PAGE,
  sandboxEventsInputSchema,
  sandboxIdSchema,
  toSandboxDto,
} from '@cave/sandbox';
import type { SandboxStatus } from '@cave/sandbox';
import { McpTool, ObjectSchema } from './mcp-tool';
import { renderSandbox } from './render';

const READ_ONLY = { readOnlyHint: true, openWorldHint: false };

export const listSandboxesTool: McpTool = {
  name: 'sandbox_list',
  title: 'List sandboxes',
  description: 'Sandboxes of your namespace, newest first, paged with `cursor` (GET /api/v1/sandboxes).',
  inputSchema: listSandboxesInputSchema as unknown as ObjectSchema,
  annotations: READ_ONLY,
  mutating: false,
  run: async (args, call) => {
    const filter = { state: args.state as SandboxStatus | undefined, limit: (args.limit as number | undefined) ?? SANDBOX_PAGE.defaultLimit, cursor: args.cursor as string | undefined };
    const page = await call.queries.execute(new ListSandboxesQuery(call.principal.namespace, filter));
    const items = page.items.map(toSandboxDto);
    const lines = items.length === 0 ? ['no sandboxes'] : items.map(renderSandbox);
    return { structured: { items, nextCursor: page.nextCursor }, text: [...lines, ...(page.nextCursor ? [`more: cursor ${page.nextCursor}`] : [])].join('\n') };
  },
};

export const getSandboxTool: McpTool = {
  name: 'sandbox_get',
  title: 'Get a sandbox',
  description: 'One sandbox of your namespace as of its latest event (GET /api/v1/sandboxes/{id}).',
  inputSchema: { type: 'object', additionalProperties: false, required: ['id'], properties: { id: sandboxIdSchema } },
  annotations: READ_ONLY,
  mutating: false,
  run: async (args, call) => {
    const sandbox = toSandboxDto(await call.queries.execute(new GetSandboxQuery(call.principal.namespace, (args.id as string).toLowerCase())));
    return { structured: { sandbox }, text: renderSandbox(sandbox) };
  },
};

export const sandboxHistoryTool: McpTool = {
  name: 'sandbox_history',
  title: "A sandbox's history",
  description: "The sandbox's own events in stream-version order, paged with `after` (GET /api/v1/sandboxes/{id}/events).",
  inputSchema: sandboxEventsInputSchema as unknown as ObjectSchema,
  annotations: READ_ONLY,
  mutating: false,
  run: async (args, call) => {
    const pageArgs = { after: (args.after as number | undefined) ?? 0, limit: (args.limit as number | undefined) ?? EVENT_PAGE.defaultLimit };
    const page = await call.queries.execute(new GetSandboxEventsQuery(call.principal.namespace, (args.id as string).toLowerCase(), pageArgs));
    const items = page.items.map(toRecordedEventDto);
    const lines = items.map((e) => `#${e.streamVersion} ${e.type} at ${e.recordedAt}${e.metadata.actor ? ` by ${String(e.metadata.actor)}` : ''}`);
    return { structured: { items, nextCursor: page.nextCursor }, text: lines.join('\n') || 'no events' };
  },
};
