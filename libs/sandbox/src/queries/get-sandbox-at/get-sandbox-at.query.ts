import { Query } from '@nestjs/cqrs';
import type { PointInTime } from '@cave/projections';
import { SandboxView } from '../../projections/sandbox.read-model';

/** The sandbox as it was at a global position or instant (time travel, own namespace only). */
export class GetSandboxAtQuery extends Query<SandboxView> {
  constructor(
    readonly namespace: string,
    readonly sandboxId: string,
    readonly at: PointInTime,
  ) {
    super();
  }
}
