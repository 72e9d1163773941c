import { Module, OnModuleInit } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ProjectionRegistry, StreamFoldRegistry } from '@cave/projections';
import { CreateSandboxHandler } from './commands/create-sandbox/create-sandbox.handler';
import { TransitionSandboxHandler } from './commands/transition-sandbox/transition-sandbox.handler';
import { SandboxesController } from './http/sandboxes.controller';
import { GetSandboxHandler } from './queries/get-sandbox/get-sandbox.handler';
import { GetSandboxAtHandler } from './queries/get-sandbox-at/get-sandbox-at.handler';
import { SANDBOX_STREAM_TYPE } from './contracts/sandbox.events';
import { sandboxViewFold } from './contracts/sandbox-view.fold';
import { sandboxesProjection } from './projections/sandboxes.projection';
import { GetSandboxEventsHandler } from './queries/get-sandbox-events/get-sandbox-events.handler';
import { ListSandboxesHandler } from './queries/list-sandboxes/list-sandboxes.handler';

/** The sandbox bounded context: lifecycle aggregate, its read model and REST API. */
@Module({
  imports: [CqrsModule],
  controllers: [SandboxesController],
  providers: [
    CreateSandboxHandler,
    TransitionSandboxHandler,
    GetSandboxHandler,
    GetSandboxAtHandler,
    ListSandboxesHandler,
    GetSandboxEventsHandler,
  ],
})
export class SandboxModule implements OnModuleInit {
  constructor(
    private readonly projections: ProjectionRegistry,
    private readonly folds: StreamFoldRegistry,
  ) {}

  /** The async projector owns rebuilds of `sandboxes`; the fold powers time travel (ADR 0006). */
  onModuleInit(): void {
    this.projections.register(sandboxesProjection());
    this.folds.register(SANDBOX_STREAM_TYPE, sandboxViewFold);
  }
}
