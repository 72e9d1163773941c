import { SandboxView } from '../projections/sandbox.read-model';
import { SandboxDto } from './sandbox.dto';

/** Read model -> API shape; the only place the response format is decided. */
export function toSandboxDto(v: SandboxView): SandboxDto {
  return {
    id: v.id,
    namespace: v.namespace,
    name: v.name,
    runtime: v.runtime,
    mode: v.mode,
    state: v.state,
    limits: v.limits,
    labels: v.labels,
    version: v.version,
    createdBy: v.createdBy,
    createdAt: v.createdAt.toISOString(),
    updatedAt: v.updatedAt.toISOString(),
  };
}
