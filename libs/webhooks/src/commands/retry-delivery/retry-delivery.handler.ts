import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Database } from '@cave/event-store';
import { DeliveryNotFoundError } from '../../domain/webhook.errors';
import { DELIVERY_COLUMNS, DeliveryRecorder, DeliveryRow } from '../../outbox/delivery-recorder';
import { WebhookDispatcher } from '../../outbox/webhook-dispatcher';
import { deliveriesReadModel, DeliveryView } from '../../read-models/deliveries.read-model';
import { RetryDeliveryCommand } from './retry-delivery.command';

@CommandHandler(RetryDeliveryCommand)
export class RetryDeliveryHandler implements ICommandHandler<RetryDeliveryCommand, DeliveryView> {
  constructor(
    private readonly db: Database,
    private readonly recorder: DeliveryRecorder,
    private readonly dispatcher: WebhookDispatcher,
  ) {}

  async execute(cmd: RetryDeliveryCommand): Promise<DeliveryView> {
    const principal = cmd.meta;
    // Read with the caller's rights: another tenant's delivery is a 404 like a guessed id.
    const rows = await deliveriesReadModel.scoped(this.db, principal, async (c) =>
      (await c.query<DeliveryRow>(`select ${DELIVERY_COLUMNS} from webhook_deliveries where id = $1`, [cmd.deliveryId])).rows,
    );
    if (rows.length === 0) throw new DeliveryNotFoundError(cmd.deliveryId);
    const retriedAt = new Date();
    await this.recorder.record(
      rows[0],
      { type: 'retry_delivery', data: { deliveryId: cmd.deliveryId, requestedBy: principal.actor, retriedAt: retriedAt.toISOString() } },
      cmd.meta,
      async (client, state, version) => {
        await client.query(
          `update webhook_deliveries set status = $2, round_attempts = $3, next_attempt_at = $4, lease_until = null, leased_by = null, version = $5 where id = $1`,
          [cmd.deliveryId, state.status, state.roundAttempts, retriedAt, version],
        );
      },
    );
    this.dispatcher.kick();
    const view = await deliveriesReadModel.scoped(this.db, principal, (c) => deliveriesReadModel.get(c, cmd.deliveryId));
    if (!view) throw new DeliveryNotFoundError(cmd.deliveryId);
    return view;
  }
}
