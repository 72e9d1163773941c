import { FieldProblem, InvalidInputError } from '@cave/kernel';
import { parseModelName } from './chat-request';

export interface EmbedRequest {
  model: string;
  inputs: string[];
  encoding: 'float' | 'base64';
}

export const EMBED_LIMITS = { inputs: 256, inputLength: 65_536 } as const;
const KNOWN = new Set(['model', 'input', 'encoding_format', 'user']);

/** Parses an OpenAI embeddings body (text inputs only; token-id arrays and `dimensions` are refused). */
export function parseEmbedRequest(body: unknown): EmbedRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new InvalidInputError([{ field: '', message: 'the body must be a JSON object' }]);
  const b = body as Record<string, unknown>;
  const problems: FieldProblem[] = [];
  for (const key of Object.keys(b)) if (!KNOWN.has(key)) problems.push({ field: key, message: `${key} is not supported` });
  const model = parseModelName(b.model, problems);
  const inputs = typeof b.input === 'string' ? [b.input] : b.input;
  if (!Array.isArray(inputs) || inputs.length === 0 || inputs.length > EMBED_LIMITS.inputs || !inputs.every((s) => typeof s === 'string' && s.length <= EMBED_LIMITS.inputLength)) {
    problems.push({ field: 'input', message: `input must be a string or 1 to ${EMBED_LIMITS.inputs} strings of at most ${EMBED_LIMITS.inputLength} characters` });
  }
  const encoding = b.encoding_format ?? 'float';
  if (encoding !== 'float' && encoding !== 'base64') problems.push({ field: 'encoding_format', message: 'encoding_format must be float or base64' });
  if (b.user !== undefined && (typeof b.user !== 'string' || b.user.length > 256)) problems.push({ field: 'user', message: 'user must be a string of at most 256 characters' });
  if (problems.length > 0) throw new InvalidInputError(problems);
  return { model, inputs: inputs as string[], encoding: encoding as 'float' | 'base64' };
}
