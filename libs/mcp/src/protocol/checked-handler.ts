import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod/v4';

type Extra = Parameters<Parameters<Server['setRequestHandler']>[1]>[1];

/**
 * Registers `handler` for the method of `schema` so that a request whose params break the schema is a
 * JSON-RPC "invalid params" error (-32602). Given the full schema, the SDK would answer -32603 (internal
 * error) with a dump of the validator's output: the client's mistake reported as our failure.
 */
export function setCheckedHandler<S extends z.ZodObject<{ method: z.ZodLiteral<string> }>, R>(
  server: Server,
  schema: S,
  handler: (request: z.infer<S>, extra: Extra) => Promise<R>,
): void {
  const method = schema.shape.method.value;
  const envelope = z.object({ method: z.literal(method) }).passthrough();
  server.setRequestHandler(envelope, async (request, extra) => {
    const parsed = schema.safeParse(request);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; ');
      throw new McpError(ErrorCode.InvalidParams, `invalid ${method} params: ${issues}`);
    }
    return (await handler(parsed.data, extra)) as never;
  });
}
