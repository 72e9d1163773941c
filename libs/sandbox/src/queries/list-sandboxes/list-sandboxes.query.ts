import { Query } from '@nestjs/cqrs';
import { SandboxStatus } from '../../domain/sandbox.lifecycle';
import { SandboxView } from '../../projections/sandbox.read-model';

/** Page bounds of the sandbox list: the one copy, read by the REST DTO and the MCP tool schema. */
export const SANDBOX_PAGE = { maxLimit: 100, defaultLimit: 20, maxCursorLength: 200 } as const;

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
