import { renderPrompt } from '../../domain/prompt';
import type { ChatCall, ChatOutcome, EmbedOutcome, LlmProvider, ProviderSink } from '../provider';
import type { LlamaHost } from './llama-host';

/** A GGUF file on this machine, run by node-llama-cpp in the host's worker thread. */
export class LocalProvider implements LlmProvider {
  readonly kind = 'local' as const;

  constructor(
    private readonly host: LlamaHost,
    private readonly modelPath: string,
    readonly label = 'local',
  ) {}

  async chat(call: ChatCall, sink: ProviderSink, signal: AbortSignal): Promise<ChatOutcome> {
    let promptTokens = 0;
    const r = await this.host.generate(
      {
        modelPath: this.modelPath,
        prompt: renderPrompt(call.messages),
        maxTokens: call.maxTokens,
        contextTokens: call.contextTokens,
        temperature: call.temperature,
        topP: call.topP,
        seed: call.seed,
        stop: call.stop,
      },
      {
        started: (i) => {
          promptTokens = i.promptTokens;
          sink.started({ promptTokens: i.promptTokens });
        },
        chunk: (t) => sink.chunk(t),
      },
      signal,
    );
    return { promptTokens, completionTokens: r.completionTokens, finishReason: r.finishReason };
  }

  async embed(inputs: string[]): Promise<EmbedOutcome> {
    const r = await this.host.embed(this.modelPath, inputs);
    return { vectors: r.vectors, promptTokens: r.tokens };
  }
}
