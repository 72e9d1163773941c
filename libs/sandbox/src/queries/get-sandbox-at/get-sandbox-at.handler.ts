import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { StreamNotFoundError, StreamStateService } from '@cave/projections';
import { sandboxStreamId } from '../../contracts/sandbox.events';
import { SandboxNotFoundError } from '../../domain/sandbox.errors';
import { SandboxView } from '../../projections/sandbox.read-model';
import { GetSandboxAtQuery } from './get-sandbox-at.query';

/**
 * Folds the sandbox's stream up to the point, read as `cave_app` in the caller's namespace: another
 * tenant's sandbox, and one that did not exist yet at that point, are both 404.
 */
@QueryHandler(GetSandboxAtQuery)
export class GetSandboxAtHandler implements IQueryHandler<GetSandboxAtQuery, SandboxView> {
  constructor(private readonly streams: StreamStateService) {}

  async execute({ namespace, sandboxId, at }: GetSandboxAtQuery): Promise<SandboxView> {
    try {
      const s = await this.streams.stateAt(sandboxStreamId(sandboxId), at, namespace);
      const view = s.state as SandboxView | null;
      if (!view) throw new SandboxNotFoundError(sandboxId);
      return view;
    } catch (e) {
      if (e instanceof StreamNotFoundError) throw new SandboxNotFoundError(sandboxId);
      throw e;
    }
  }
}
