import type { CommandMeta } from '@cave/kernel';

/** An admin replaces a namespace's sandbox policy (the whole document; omitted fields take defaults). */
export class SetNamespacePolicyCommand {
  constructor(
    readonly namespace: string,
    readonly body: unknown,
    readonly meta: CommandMeta,
  ) {}
}
