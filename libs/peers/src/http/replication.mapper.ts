import type { ReplicationView } from '../read-models/replications.read-model';
import type { JobProgress } from '../replication/replication-job';
import type { ReplicationDto } from './peers.dto';

/** The job resource: the read model, with the running instance's live progress when it runs here. */
export function toReplicationDto(v: ReplicationView, live: JobProgress | undefined): ReplicationDto {
  const bySource = live?.bySource ?? v.bySource;
  const total = Object.values(bySource).reduce((a, b) => a + b, 0);
  const shares = Object.fromEntries(Object.entries(bySource).map(([k, b]) => [k, total === 0 ? 0 : Math.round((b / total) * 1000) / 1000]));
  const elapsed = v.startedAt ? (Date.parse(v.finishedAt ?? new Date().toISOString()) - Date.parse(v.startedAt)) / 1000 : 0;
  const doneBytes = live?.doneBytes ?? v.doneBytes;
  const rate = live?.bytesPerSec ?? (elapsed > 0 ? Math.round(v.doneBytes / elapsed) : 0);
  const left = (v.sizeBytes ?? 0) - doneBytes;
  const { bySource: _b, ...rest } = v;
  void _b;
  return {
    ...rest,
    progress: {
      doneBytes,
      doneChunks: live?.doneChunks ?? v.doneChunks,
      totalBytes: v.sizeBytes ?? 0,
      totalChunks: v.chunkCount ?? 0,
      failedChunks: live?.failedChunks ?? v.failedChunks,
      bytesPerSec: v.status === 'running' ? rate : v.status === 'completed' ? rate : 0,
      etaSeconds: v.status === 'completed' ? 0 : live?.etaSeconds ?? (rate > 0 ? Math.round(left / rate) : null),
      bySource,
      shares,
    },
  };
}
