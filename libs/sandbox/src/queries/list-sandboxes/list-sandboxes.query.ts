import { Query } from '@nestjs/cqrs';
import { SandboxStatus } from '../../domain/sandbox.lifecycle';
import { SandboxView } from '../../projections/sandbox.read-model';

export interface SandboxPage {
  items: SandboxView[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export class ListSandboxesQuery extends Query<SandboxPage> {
  constructor(
    readonly namespace: string,
    readonly filter: { state?: SandboxStatus; limit: number; cursor?: string },
  ) {
    super();
  }
}
