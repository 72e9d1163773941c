import { ProjectionView } from '../admin/projection.view';
import { StreamState } from '../time-travel/stream-state.service';
import { ProjectionDto } from './projection.dto';
import { StreamStateDto } from './stream-state.dto';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toProjectionDto(v: ProjectionView): ProjectionDto {
  return {
    ...v,
    failure: v.failure ? { ...v.failure, at: iso(v.failure.at) } : null,
    rebuild: v.rebuild
      ? { ...v.rebuild, requestedAt: iso(v.rebuild.requestedAt), startedAt: iso(v.rebuild.startedAt), finishedAt: iso(v.rebuild.finishedAt) }
      : null,
    updatedAt: iso(v.updatedAt),
  };
}

export function toStreamStateDto(s: StreamState): StreamStateDto {
  return { ...s, recordedAt: s.recordedAt.toISOString() };
}
