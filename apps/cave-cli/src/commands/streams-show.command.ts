import { CommandRunner, Option, SubCommand } from 'nest-commander';
import { NoFoldRegisteredError, parsePointInTime, PointInTime } from '@cave/projections';
import { CliContext } from '../cli-context';

@SubCommand({ name: 'show', arguments: '<streamId>', description: 'A stream as it was at a global position or instant (its folded state, or its events when no fold is known)' })
export class StreamsShowCommand extends CommandRunner {
  constructor(private readonly ctx: CliContext) {
    super();
  }

  async run([streamId]: string[], opts: { at?: PointInTime }): Promise<void> {
    const { streams, store, db } = await this.ctx.connect();
    try {
      const s = await streams.stateAt(streamId, opts.at);
      process.stdout.write(JSON.stringify({ streamId: s.streamId, streamType: s.streamType, namespace: s.namespace, version: s.version, globalPosition: s.globalPosition, state: s.state }, null, 2) + '\n');
    } catch (e) {
      if (!(e instanceof NoFoldRegisteredError)) throw e;
      const { rows } = await db.admin.query<{ namespace: string }>('select namespace from events where stream_id = $1 limit 1', [streamId]);
      const at = opts.at;
      const events = await store.readStream(streamId, {
        namespace: rows[0].namespace,
        ...(at && 'position' in at ? { toPosition: at.position } : {}),
        ...(at && 'time' in at ? { toTime: at.time } : {}),
      });
      const last = events[events.length - 1];
      process.stdout.write(
        JSON.stringify({ streamId, streamType: last.streamType, namespace: last.namespace, version: last.streamVersion, globalPosition: last.globalPosition,
          events: events.map((ev) => ({ version: ev.streamVersion, globalPosition: ev.globalPosition, type: ev.type, data: ev.data, recordedAt: ev.recordedAt })) }, null, 2) + '\n',
      );
    }
  }

  @Option({ flags: '--at <position|iso-time>', description: 'Global position (state after that event) or ISO 8601 time; default now' })
  parseAt(v: string): PointInTime | undefined {
    return parsePointInTime(v);
  }
}
