import { FieldProblem, InvalidInputError } from '@cave/kernel';

export type ChatRole = 'system' | 'developer' | 'user' | 'assistant';
export const CHAT_ROLES: readonly ChatRole[] = ['system', 'developer', 'user', 'assistant'];

export interface ChatMessage {
  role: ChatRole;
  content: string;
}

/** An OpenAI chat-completions request as CAVE serves it (the subset it honours; anything else is refused). */
export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  stream: boolean;
  includeUsage: boolean;
  /** Requested completion bound; undefined = the namespace's maximum. */
  maxTokens?: number;
  temperature: number;
  topP?: number;
  seed?: number;
  stop: string[];
}

export const CHAT_LIMITS = {
  modelLength: 128,
  messages: 256,
  contentLength: 262_144,
  stopSequences: 4,
  stopLength: 64,
  maxTokens: 1_000_000,
} as const;

const KNOWN = new Set([
  'model',
  'messages',
  'stream',
  'stream_options',
  'max_tokens',
  'max_completion_tokens',
  'temperature',
  'top_p',
  'seed',
  'stop',
  'n',
  'user',
]);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A model name: what both the alias table and the registry accept. */
export function parseModelName(v: unknown, problems: FieldProblem[]): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > CHAT_LIMITS.modelLength || /[\u0000-\u001f]/.test(v)) {
    problems.push({ field: 'model', message: `model must be a name of 1 to ${CHAT_LIMITS.modelLength} printable characters` });
    return '';
  }
  return v;
}

function content(v: unknown, field: string, problems: FieldProblem[]): string {
  if (typeof v === 'string') return v;
  // The array form: text parts only (no images, audio or files).
  if (Array.isArray(v) && v.every((p) => isObject(p) && p.type === 'text' && typeof p.text === 'string')) {
    return v.map((p) => (p as { text: string }).text).join('');
  }
  problems.push({ field, message: 'content must be a string or an array of {type: "text", text} parts' });
  return '';
}

function optionalNumber(body: Record<string, unknown>, key: string, min: number, max: number, integer: boolean, problems: FieldProblem[]): number | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    problems.push({ field: key, message: `${key} must be ${integer ? 'an integer' : 'a number'} between ${min} and ${max}` });
    return undefined;
  }
  return v;
}

/**
 * Parses a chat-completions body. The one copy of the input rules (the DTO only documents them): unknown or
 * unsupported fields are refused by name, so a client never silently gets behaviour it did not ask for.
 */
export function parseChatRequest(body: unknown): ChatRequest {
  if (!isObject(body)) throw new InvalidInputError([{ field: '', message: 'the body must be a JSON object' }]);
  const problems: FieldProblem[] = [];
  for (const key of Object.keys(body)) {
    if (!KNOWN.has(key)) problems.push({ field: key, message: `${key} is not supported` });
  }
  const model = parseModelName(body.model, problems);
  const messages: ChatMessage[] = [];
  if (!Array.isArray(body.messages) || body.messages.length === 0 || body.messages.length > CHAT_LIMITS.messages) {
    problems.push({ field: 'messages', message: `messages must be an array of 1 to ${CHAT_LIMITS.messages} messages` });
  } else {
    let total = 0;
    body.messages.forEach((m: unknown, i) => {
      const field = `messages.${i}`;
      if (!isObject(m)) return problems.push({ field, message: 'a message must be an object' });
      const extra = Object.keys(m).filter((k) => k !== 'role' && k !== 'content' && k !== 'name');
      if (extra.length > 0) problems.push({ field: `${field}.${extra[0]}`, message: `${extra[0]} is not supported` });
      if (!CHAT_ROLES.includes(m.role as ChatRole)) problems.push({ field: `${field}.role`, message: `role must be one of ${CHAT_ROLES.join(', ')}` });
      const text = content(m.content, `${field}.content`, problems);
      total += text.length;
      messages.push({ role: m.role as ChatRole, content: text });
    });
    if (total > CHAT_LIMITS.contentLength) problems.push({ field: 'messages', message: `the messages hold more than ${CHAT_LIMITS.contentLength} characters` });
  }
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') problems.push({ field: 'stream', message: 'stream must be a boolean' });
  let includeUsage = false;
  if (body.stream_options !== undefined && body.stream_options !== null) {
    const o = body.stream_options;
    if (!isObject(o) || Object.keys(o).some((k) => k !== 'include_usage') || (o.include_usage !== undefined && typeof o.include_usage !== 'boolean')) {
      problems.push({ field: 'stream_options', message: 'stream_options may only hold include_usage (a boolean)' });
    } else includeUsage = o.include_usage === true;
  }
  const maxTokens = optionalNumber(body, 'max_completion_tokens', 1, CHAT_LIMITS.maxTokens, true, problems) ?? optionalNumber(body, 'max_tokens', 1, CHAT_LIMITS.maxTokens, true, problems);
  const temperature = optionalNumber(body, 'temperature', 0, 2, false, problems) ?? 1;
  const topP = optionalNumber(body, 'top_p', 0, 1, false, problems);
  const seed = optionalNumber(body, 'seed', -(2 ** 53 - 1), 2 ** 53 - 1, true, problems);
  const n = optionalNumber(body, 'n', 1, 1, true, problems);
  void n;
  if (body.user !== undefined && (typeof body.user !== 'string' || body.user.length > 256)) problems.push({ field: 'user', message: 'user must be a string of at most 256 characters' });
  let stop: string[] = [];
  if (typeof body.stop === 'string') stop = [body.stop];
  else if (Array.isArray(body.stop)) stop = body.stop as string[];
  else if (body.stop !== undefined && body.stop !== null) problems.push({ field: 'stop', message: 'stop must be a string or an array of strings' });
  if (stop.length > CHAT_LIMITS.stopSequences || stop.some((s) => typeof s !== 'string' || s.length === 0 || s.length > CHAT_LIMITS.stopLength)) {
    problems.push({ field: 'stop', message: `stop holds at most ${CHAT_LIMITS.stopSequences} strings of 1 to ${CHAT_LIMITS.stopLength} characters` });
  }
  if (problems.length > 0) throw new InvalidInputError(problems);
  return { model, messages, stream: body.stream === true, includeUsage, maxTokens, temperature, topP, seed, stop };
}
