import { InvalidInputError } from '@cave/kernel';
import { parseChatRequest } from './chat-request';

const fields = (body: unknown): string[] => {
  try {
    parseChatRequest(body);
    return [];
  } catch (e) {
    if (!(e instanceof InvalidInputError)) throw e;
    return e.errors.map((p) => p.field);
  }
};

describe('parseChatRequest', () => {
  it('reads the OpenAI shape with defaults', () => {
    expect(parseChatRequest({ model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] }] })).toEqual({
      model: 'm',
      messages: [{ role: 'user', content: 'ab' }],
      stream: false,
      includeUsage: false,
      maxTokens: undefined,
      temperature: 1,
      topP: undefined,
      seed: undefined,
      stop: [],
    });
  });

  it('prefers max_completion_tokens and reads stream options', () => {
    const r = parseChatRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }], max_tokens: 5, max_completion_tokens: 7, stream: true, stream_options: { include_usage: true }, stop: 'x' });
    expect([r.maxTokens, r.stream, r.includeUsage, r.stop]).toEqual([7, true, true, ['x']]);
  });

  it('names every refused field', () => {
    expect(fields({ model: '', messages: [{ role: 'user', content: 1 }], temperature: 3, functions: [] })).toEqual(['functions', 'model', 'messages.0.content', 'temperature']);
    expect(fields({ model: 'm', messages: [{ role: 'tool', content: 'x', tool_call_id: 'a' }] })).toEqual(['messages.0.tool_call_id', 'messages.0.role']);
    expect(fields('nope')).toEqual(['']);
  });
});
