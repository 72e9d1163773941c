import { LABEL_LIMITS } from '../domain/sandbox-labels';
import { LIMIT_BOUNDS, LIMIT_NAMES } from '../domain/sandbox-limits';
import { MODES, NAME_RULE, RUNTIMES } from '../domain/sandbox-spec';
import { SANDBOX_STATUSES } from '../domain/sandbox.lifecycle';
import { EVENT_PAGE } from '../queries/get-sandbox-events/get-sandbox-events.query';
import { SANDBOX_PAGE } from '../queries/list-sandboxes/list-sandboxes.query';

/**
 * JSON Schemas of what a caller may send the sandbox context, derived from the domain's own rules (the
 * constants SandboxSpec and the queries enforce), for edges that describe their input as JSON Schema (MCP
 * tools). There is no second copy of a bound: change a rule and every schema follows.
 */

const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

export const sandboxIdSchema = { type: 'string', pattern: UUID_PATTERN, description: 'Sandbox id (a UUID)' };

const limitsSchema = {
  type: 'object',
  description: 'Omitted limits take their defaults',
  additionalProperties: false,
  properties: Object.fromEntries(
    LIMIT_NAMES.map((name) => {
      const { min, max, default: byDefault } = LIMIT_BOUNDS[name];
      return [name, { type: 'integer', minimum: min, maximum: max, default: byDefault }];
    }),
  ),
};

/** The creation input SandboxSpec.parse accepts: name, runtime, mode, optional limits and labels. */
export const createSandboxInputSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'runtime', 'mode'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: NAME_RULE.maxLength, pattern: NAME_RULE.pattern.source, description: NAME_RULE.message },
    runtime: { type: 'string', enum: [...RUNTIMES] },
    mode: { type: 'string', enum: [...MODES], description: 'quick: fresh state per exec; persistent: keeps state across execs' },
    limits: limitsSchema,
    labels: {
      type: 'object',
      maxProperties: LABEL_LIMITS.maxCount,
      propertyNames: { pattern: LABEL_LIMITS.keyPattern.source },
      additionalProperties: { type: 'string', maxLength: LABEL_LIMITS.maxValueLength },
    },
  },
} as const;

/** Filter and page of the sandbox list (ListSandboxesQuery). */
export const listSandboxesInputSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    state: { type: 'string', enum: [...SANDBOX_STATUSES], description: 'Only sandboxes in this state; without it, all but deleted ones' },
    limit: { type: 'integer', minimum: 1, maximum: SANDBOX_PAGE.maxLimit, default: SANDBOX_PAGE.defaultLimit },
    cursor: { type: 'string', maxLength: SANDBOX_PAGE.maxCursorLength, description: '`nextCursor` of the previous page' },
  },
} as const;

/** Page of a sandbox's history (GetSandboxEventsQuery). */
export const sandboxEventsInputSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: {
    id: sandboxIdSchema,
    after: { type: 'integer', minimum: 0, maximum: EVENT_PAGE.maxAfter, default: 0, description: 'Events after this stream version (`nextCursor` of the previous page)' },
    limit: { type: 'integer', minimum: 1, maximum: EVENT_PAGE.maxLimit, default: EVENT_PAGE.defaultLimit },
  },
} as const;
