import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { AdminEventsController } from './http/admin-events.controller';
import { NamespaceEventsController } from './http/namespace-events.controller';
import { ListEventsHandler } from './queries/list-events/list-events.handler';

/** Read-only views over the event log for operators. */
@Module({ imports: [CqrsModule], controllers: [AdminEventsController, NamespaceEventsController], providers: [ListEventsHandler] })
export class HistoryModule {}
