import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Database } from '@cave/event-store';
import { ModelNameActiveError } from '../../domain/models.errors';
import { assertNamespaceName } from '../../domain/names';
import { ModelRecord, modelsReadModel } from '../../read-models/models.read-model';
import { ModelChecks } from '../../registry/registry.service';
import { ModelStreams } from '../../registry/model-streams';
import { SetActivationCommand } from './set-activation.command';

/**
 * One model per name per namespace: activating another version of a name that is active there is refused
 * (409 MODELS.NAME_ACTIVE), checked in the append's transaction and backed by the primary key.
 */
@CommandHandler(SetActivationCommand)
export class SetActivationHandler implements ICommandHandler<SetActivationCommand> {
  constructor(
    private readonly db: Database,
    private readonly streams: ModelStreams,
    private readonly checks: ModelChecks,
  ) {}

  async execute(cmd: SetActivationCommand): Promise<ModelRecord> {
    assertNamespaceName(cmd.namespace);
    const now = new Date();
    const data = { modelId: cmd.modelId, namespace: cmd.namespace, now };
    try {
      await this.streams.model(cmd.modelId, cmd.active ? { type: 'activate_model', data } : { type: 'deactivate_model', data }, cmd.meta, async (client, state) => {
        if (!cmd.active || state.status === 'absent') return;
        const { rows } = await client.query<{ model_id: string }>(`select model_id from model_activations where namespace = $1 and name = $2`, [cmd.namespace, state.name]);
        if (rows[0] && rows[0].model_id !== cmd.modelId) throw new ModelNameActiveError(state.name, cmd.namespace, rows[0].model_id);
      });
    } catch (e) {
      if ((e as { code?: string; constraint?: string }).code === '23505' && (e as { constraint?: string }).constraint === 'model_activations_pkey') {
        const other = await this.db.asAdmin((c) => modelsReadModel.get(c, cmd.modelId));
        throw new ModelNameActiveError(other?.name ?? '?', cmd.namespace, '(a concurrent activation)');
      }
      throw e;
    }
    return this.checks.record(cmd.modelId);
  }
}
