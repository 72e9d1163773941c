import type { CommandMeta } from '@cave/kernel';

/** Opens `stream:llm_chat-<chatId>` so a socket can subscribe before the chat's first token. */
export class OpenChannelCommand {
  constructor(readonly meta: CommandMeta) {}
}
