import { Module, OnModuleInit } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ProjectionRegistry, StreamFoldRegistry } from '@cave/projections';
import { StorageModule } from '@cave/storage';
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
import { CreateSnapshotHandler } from './commands/create-snapshot/create-snapshot.handler';
import { ExecSandboxHandler } from './commands/exec-sandbox/exec-sandbox.handler';
import { ForkSandboxHandler } from './commands/fork-sandbox/fork-sandbox.handler';
import { RestoreSnapshotHandler } from './commands/restore-snapshot/restore-snapshot.handler';
import { SetNamespacePolicyHandler } from './commands/set-namespace-policy/set-namespace-policy.handler';
import { UploadModuleHandler } from './commands/upload-module/upload-module.handler';
import { NamespacePolicyController } from './http/namespace-policy.controller';
import { SandboxRuntimeController } from './http/sandbox-runtime.controller';
import { ListSnapshotsHandler } from './queries/list-snapshots/list-snapshots.handler';
import { RuntimeEventsAppender } from './runtime-host/runtime-events.appender';
import { SandboxLifecycleListener } from './runtime-host/sandbox-lifecycle.listener';
import { SandboxRuntimeHost } from './runtime-host/sandbox-runtime.host';
import { SandboxBlobs } from './runtime-host/sandbox-blobs';
import { SandboxRuntimeRepository } from './runtime-host/sandbox-runtime.repository';
import { SandboxPolicyCheck } from './runtime-host/sandbox-policy.check';

/** The sandbox bounded context: lifecycle aggregate, its read model, the runtimes that run code, and their REST API. */
@Module({
  // Modules and snapshots live in object storage (SandboxBlobs over the BlobStore port).
  imports: [CqrsModule, StorageModule],
  controllers: [SandboxesController, SandboxRuntimeController, NamespacePolicyController],
  providers: [
    CreateSandboxHandler,
    TransitionSandboxHandler,
    GetSandboxHandler,
    GetSandboxAtHandler,
    ListSandboxesHandler,
    GetSandboxEventsHandler,
    SandboxRuntimeRepository,
    SandboxBlobs,
    SandboxPolicyCheck,
    SandboxRuntimeHost,
    RuntimeEventsAppender,
    SandboxLifecycleListener,
    ExecSandboxHandler,
    UploadModuleHandler,
    CreateSnapshotHandler,
    RestoreSnapshotHandler,
    ForkSandboxHandler,
    ListSnapshotsHandler,
    SetNamespacePolicyHandler,
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
