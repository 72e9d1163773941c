import { DomainError } from '@cave/kernel';

/** The model is not configured for anyone, or not registered / activated for this namespace: one answer for both. */
export class ModelNotFoundError extends DomainError {
  readonly code = 'LLM.MODEL_NOT_FOUND';
  readonly kind = 'not_found';
  constructor(model: string) {
    super(`model ${JSON.stringify(model)} is not available in this namespace`);
  }
}

/** Every provider of the alias failed (or timed out) before its first token. */
export class ProvidersFailedError extends DomainError {
  readonly code = 'LLM.PROVIDERS_FAILED';
  readonly kind = 'unavailable';
  constructor(attempts: { provider: string; error: string }[]) {
    super('no provider of this model could answer; try again later', { attempts, retryAfterSeconds: 1 });
  }
}

/** The namespace's tokens for today (UTC) are used up. */
export class QuotaExceededError extends DomainError {
  readonly code = 'LLM.QUOTA_EXCEEDED';
  readonly kind = 'rate_limited';
  constructor(used: number, limit: number, retryAfterSeconds: number) {
    super(`this namespace used ${used} of its ${limit} tokens today (UTC)`, { used, limit, retryAfterSeconds });
  }
}

/** Prompt plus requested completion do not fit the context the namespace may use. */
export class ContextTooLongError extends DomainError {
  readonly code = 'LLM.CONTEXT_TOO_LONG';
  readonly kind = 'invalid';
  constructor(message: string) {
    super(message);
  }
}

/** A provider failed in a way the caller can see (e.g. a model file that is not a GGUF). */
export class ProviderError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class ChannelNotFoundError extends DomainError {
  readonly code = 'LLM.CHANNEL_NOT_FOUND';
  readonly kind = 'not_found';
  constructor() {
    super('no open chat channel with this id in your namespace (POST /api/v1/llm/channels opens one)');
  }
}

export class ChannelUsedError extends DomainError {
  readonly code = 'LLM.CHANNEL_USED';
  readonly kind = 'conflict';
  constructor() {
    super('this chat channel already carried a chat; open a new one');
  }
}
