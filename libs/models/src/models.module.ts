import { Global, Inject, Module, OnModuleInit } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ProjectionRegistry } from '@cave/projections';
import { StorageModule } from '@cave/storage';
import { ACTIVE_MODELS } from './contracts/active-models.port';
import { MODEL_ARTIFACTS } from './contracts/model-artifacts.port';
import { DeleteModelHandler } from './commands/delete-model/delete-model.handler';
import { ImportModelHandler } from './commands/import-model/import-model.handler';
import { RegisterModelHandler } from './commands/register-model/register-model.handler';
import { RevokePublisherHandler } from './commands/revoke-publisher/revoke-publisher.handler';
import { SetActivationHandler } from './commands/set-activation/set-activation.handler';
import { TrustPublisherHandler } from './commands/trust-publisher/trust-publisher.handler';
import { VerifyModelHandler } from './commands/verify-model/verify-model.handler';
import { ModelsController } from './http/models.controller';
import { PublishersController } from './http/publishers.controller';
import { GetModelHandler, GetPublisherHandler, ListModelsHandler, ListPublishersHandler } from './queries/models-query.handlers';
import { ActiveModelsAdapter } from './registry/active-models.adapter';
import { ModelArtifactsAdapter } from './registry/model-artifacts.adapter';
import { ModelFiles } from './registry/model-files';
import { ModelStreams } from './registry/model-streams';
import { PackageIntake } from './registry/package-intake';
import { PublisherTrust } from './registry/publisher-trust';
import { ModelChecks } from './registry/registry.service';
import { modelsProjection } from './read-models/models.projection';

/**
 * The model registry (ADR 0016, 0021): trusted publisher keys, signed `.bkg` packages streamed into the storage
 * context's `system/cave-models` bucket, verification, activation per namespace. Exports `ACTIVE_MODELS` (the llm
 * edge) and `MODEL_ARTIFACTS` (peers). Needs EventStoreModule, ConfigModule and CqrsModule from the root.
 * Global because its consumers inject the ports as optional (a node may run without a registry): importing this
 * module at the root is what makes them resolve, in the llm edge and anywhere else, without each consumer importing
 * the registry. A consumer's own provider of a port (tests) still wins in its module.
 */
@Global()
@Module({
  imports: [CqrsModule, StorageModule],
  controllers: [PublishersController, ModelsController],
  providers: [
    ModelStreams,
    PublisherTrust,
    PackageIntake,
    ModelFiles,
    ModelChecks,
    ActiveModelsAdapter,
    ModelArtifactsAdapter,
    { provide: ACTIVE_MODELS, useExisting: ActiveModelsAdapter },
    { provide: MODEL_ARTIFACTS, useExisting: ModelArtifactsAdapter },
    TrustPublisherHandler,
    RevokePublisherHandler,
    RegisterModelHandler,
    ImportModelHandler,
    VerifyModelHandler,
    SetActivationHandler,
    DeleteModelHandler,
    ListModelsHandler,
    GetModelHandler,
    ListPublishersHandler,
    GetPublisherHandler,
  ],
  exports: [ACTIVE_MODELS, MODEL_ARTIFACTS],
})
export class ModelsModule implements OnModuleInit {
  constructor(@Inject(ProjectionRegistry) private readonly registry: ProjectionRegistry) {}

  /** The registry tables are rebuildable from the log like every read model (`models` projector). */
  onModuleInit(): void {
    this.registry.register(modelsProjection());
  }
}
