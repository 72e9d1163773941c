import { Database, EventStore } from '@cave/event-store';
import { DomainError } from '@cave/kernel';
import { PointInTime } from './point-in-time';
import { StreamFoldRegistry } from './stream-fold.registry';

export interface StreamState<S = unknown> {
  streamId: string;
  streamType: string;
  namespace: string;
  /** Stream version after the last folded event. */
  version: number;
  /** Global position of the last folded event. */
  globalPosition: number;
  recordedAt: Date;
  state: S;
}

export class StreamNotFoundError extends DomainError {
  readonly code = 'STREAM.NOT_FOUND';
  readonly kind = 'not_found';
  constructor(streamId: string, at?: PointInTime) {
    super(at ? `stream ${streamId} had no events at that point` : `no stream ${streamId}`);
  }
}

export class NoFoldRegisteredError extends DomainError {
  readonly code = 'STREAM.NO_FOLD';
  readonly kind = 'unprocessable';
  constructor(streamType: string) {
    super(`no fold is registered for stream type ${streamType}, so its state cannot be computed`);
  }
}

/** Time travel: fold a stream up to a global position or an instant. */
export class StreamStateService {
  constructor(
    private readonly db: Database,
    private readonly store: EventStore,
    private readonly folds: StreamFoldRegistry,
  ) {}

  /**
   * State of `streamId` at `at` (now when undefined). With `namespace` the read is tenant-scoped
   * (RLS): a stream of another namespace is indistinguishable from a missing one. Without it the
   * caller must be an admin path; the stream's namespace is looked up across tenants.
   */
  async stateAt(streamId: string, at?: PointInTime, namespace?: string): Promise<StreamState> {
    const ns = namespace ?? (await this.namespaceOf(streamId));
    if (ns === undefined) throw new StreamNotFoundError(streamId);
    const events = await this.store.readStream(streamId, {
      namespace: ns,
      ...(at && 'position' in at ? { toPosition: at.position } : {}),
      ...(at && 'time' in at ? { toTime: at.time } : {}),
    });
    if (events.length === 0) throw new StreamNotFoundError(streamId, at);
    const streamType = events[0].streamType;
    const fold = this.folds.get(streamType);
    if (!fold) throw new NoFoldRegisteredError(streamType);
    const state = events.reduce((s, e) => fold.evolve(s, e), fold.initialState);
    const last = events[events.length - 1];
    return { streamId, streamType, namespace: ns, version: last.streamVersion, globalPosition: last.globalPosition, recordedAt: last.recordedAt, state };
  }

  private async namespaceOf(streamId: string): Promise<string | undefined> {
    const { rows } = await this.db.admin.query<{ namespace: string }>(
      'select namespace from events where stream_id = $1 order by stream_version limit 1',
      [streamId],
    );
    return rows[0]?.namespace;
  }
}
