import type { CommandMeta } from '@cave/kernel';
import type { EmbedRequest } from '../../domain/embed-request';

export interface EmbedResult {
  embedId: string;
  model: string;
  provider: string;
  vectors: number[][];
  promptTokens: number;
}

export class CreateEmbeddingsCommand {
  constructor(
    readonly request: EmbedRequest,
    readonly meta: CommandMeta,
    readonly signal: AbortSignal,
    readonly receivedAt: number,
  ) {}
}
