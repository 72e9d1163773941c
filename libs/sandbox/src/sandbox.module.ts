import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { CreateSandboxHandler } from './commands/create-sandbox/create-sandbox.handler';
import { DeleteSandboxHandler } from './commands/delete-sandbox/delete-sandbox.handler';
import { SandboxCommandExecutor } from './commands/sandbox-command.executor';
import { StartSandboxHandler } from './commands/start-sandbox/start-sandbox.handler';
import { StopSandboxHandler } from './commands/stop-sandbox/stop-sandbox.handler';
import { SandboxesController } from './http/sandboxes.controller';
import { GetSandboxHandler } from './queries/get-sandbox/get-sandbox.handler';
import { GetSandboxEventsHandler } from './queries/get-sandbox-events/get-sandbox-events.handler';
import { ListSandboxesHandler } from './queries/list-sandboxes/list-sandboxes.handler';

/** The sandbox bounded context: lifecycle aggregate, its read model and REST API. */
@Module({
  imports: [CqrsModule],
  controllers: [SandboxesController],
  providers: [
    SandboxCommandExecutor,
    CreateSandboxHandler,
    StartSandboxHandler,
    StopSandboxHandler,
    DeleteSandboxHandler,
    GetSandboxHandler,
    ListSandboxesHandler,
    GetSandboxEventsHandler,
  ],
})
export class SandboxModule {}
