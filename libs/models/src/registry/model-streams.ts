import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { asDomainEvent, CommandRunner, CommandStream, ConcurrencyError, Database } from '@cave/event-store';
import type { CommandMeta } from '@cave/kernel';
import { MODEL_PUBLISHER_STREAM_TYPE, MODEL_STREAM_TYPE, ModelEvent, MODELS_NAMESPACE, modelStreamId, PublisherEvent, publisherStreamId } from '../contracts/models.events';
import { ModelCommand, modelDecider, ModelState } from '../domain/model.decider';
import { PublisherCommand, publisherDecider, PublisherState } from '../domain/publisher.decider';
import { modelsReadModel } from '../read-models/models.read-model';
import { publishersReadModel } from '../read-models/publishers.read-model';

export const modelStream: CommandStream<ModelCommand, ModelState, ModelEvent> = {
  decider: modelDecider,
  streamType: MODEL_STREAM_TYPE,
  toEvent: asDomainEvent,
};

export const publisherStream: CommandStream<PublisherCommand, PublisherState, PublisherEvent> = {
  decider: publisherDecider,
  streamType: MODEL_PUBLISHER_STREAM_TYPE,
  toEvent: asDomainEvent,
};

const RETRIES = 3;

/**
 * Runs model and publisher commands as cave_admin in the `system` namespace, applying each new event to its read
 * model in the append's transaction. A concurrent writer makes the whole transaction run again (a failed append
 * leaves its transaction unusable, so the runner's own retry cannot be used with a shared client).
 */
@Injectable()
export class ModelStreams {
  constructor(
    private readonly db: Database,
    private readonly runner: CommandRunner,
  ) {}

  async model(modelId: string, command: ModelCommand, meta: CommandMeta, before?: (c: PoolClient, state: ModelState) => Promise<void>): Promise<{ state: ModelState; events: ModelEvent[] }> {
    return this.retrying(() =>
      this.db.asAdmin(async (client) => {
        const outcome = await this.runner.run(modelStream, { streamId: modelStreamId(modelId), command, meta: { ...meta, namespace: MODELS_NAMESPACE }, transaction: 'admin', client });
        let version = outcome.append ? outcome.append.nextExpectedVersion - outcome.events.length + 1 : 0;
        await before?.(client, outcome.state);
        for (const e of outcome.events) await modelsReadModel.apply(client, e, version++, meta.actor);
        return { state: outcome.state, events: outcome.events };
      }),
    );
  }

  async publisher(publisherId: string, command: PublisherCommand, meta: CommandMeta): Promise<{ state: PublisherState; events: PublisherEvent[] }> {
    return this.retrying(() =>
      this.db.asAdmin(async (client) => {
        const outcome = await this.runner.run(publisherStream, { streamId: publisherStreamId(publisherId), command, meta: { ...meta, namespace: MODELS_NAMESPACE }, transaction: 'admin', client });
        let version = outcome.append ? outcome.append.nextExpectedVersion - outcome.events.length + 1 : 0;
        for (const e of outcome.events) await publishersReadModel.apply(client, e, version++);
        return { state: outcome.state, events: outcome.events };
      }),
    );
  }

  private async retrying<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        if (e instanceof ConcurrencyError && attempt < RETRIES) continue;
        throw e;
      }
    }
  }
}
