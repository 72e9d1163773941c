import { Command } from '@nestjs/cqrs';
import type { CommandMeta } from '@cave/kernel';
import type { ReplicationView } from '../../read-models/replications.read-model';

export class RequestReplicationCommand extends Command<ReplicationView> {
  constructor(
    readonly artifactSha256: string,
    readonly maxBytesPerSec: number | undefined,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}
