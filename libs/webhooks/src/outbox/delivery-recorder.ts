import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { asDomainEvent, CommandRunner, CommandStream, Database } from '@cave/event-store';
import type { CommandMeta } from '@cave/kernel';
import { WEBHOOK_DELIVERY_STREAM_TYPE, webhookDeliveryStreamId } from '../contracts/webhook.events';
import { DeliveryCommand, deliveryDecider, DeliveryEvent, DeliveryState } from '../domain/delivery.decider';

/** The columns of a queued delivery the dispatcher and the retry command need. */
export interface DeliveryRow {
  id: string;
  namespace: string;
  webhook_id: string;
  event_type: string;
  endpoint_id: string | null;
  target: 'endpoint' | 'operator';
  payload: string;
  status: DeliveryState['status'];
  attempts: number;
  round_attempts: number;
  version: number;
}

export const DELIVERY_COLUMNS = 'id, namespace, webhook_id, event_type, endpoint_id, target, payload, status, attempts, round_attempts, version';

const deliveryStream: CommandStream<DeliveryCommand, DeliveryState, DeliveryEvent> = {
  decider: deliveryDecider,
  streamType: WEBHOOK_DELIVERY_STREAM_TYPE,
  toEvent: asDomainEvent,
};

/**
 * Records a delivery's events and updates its queue row and history in one admin transaction. The
 * row's version is the expected stream version: a sender whose lease ran out while another instance
 * already recorded the attempt gets a ConcurrencyError and records nothing ("exactly one success").
 */
@Injectable()
export class DeliveryRecorder {
  constructor(
    private readonly db: Database,
    private readonly runner: CommandRunner,
  ) {}

  async record(row: DeliveryRow, command: DeliveryCommand, meta: CommandMeta, extra: (client: PoolClient, state: DeliveryState, version: number) => Promise<void>): Promise<DeliveryState> {
    return this.db.asAdmin(async (client) => {
      const r = await this.runner.run(deliveryStream, {
        streamId: webhookDeliveryStreamId(row.id),
        command,
        expectedVersion: row.version,
        meta,
        namespace: row.namespace,
        transaction: 'admin',
        client,
      });
      if (!r.append) throw new Error(`delivery ${row.id}: the decider decided nothing`);
      await extra(client, r.state, r.append.nextExpectedVersion);
      return r.state;
    });
  }
}
