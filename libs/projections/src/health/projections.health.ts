import type { HealthCheckResult, HealthContributor } from '@cave/observability';
import { ProjectionAdminService } from '../admin/projection-admin.service';
import { ProjectionView } from '../admin/projection.view';

/** One projector as /healthz shows it (public endpoint: no error text, no instance ids). */
export interface ProjectionHealth {
  name: string;
  status: ProjectionView['status'];
  position: number;
  lagEvents: number;
  leaderAlive: boolean;
  /** Where a failed projector stopped; the error text is only on the admin API. */
  failedAt?: { globalPosition: number | null; eventType: string | null };
  rebuild?: string;
}

/**
 * `checks.projections` of /healthz. `down` when a registered projector is stopped at a failing event
 * or no instance leads it: the daemon still serves (not critical, so health is `degraded`, HTTP 200),
 * but derived data such as the audit log stops advancing until an admin retries or skips.
 */
export class ProjectionsHealth implements HealthContributor {
  readonly name = 'projections';
  readonly critical = false;

  constructor(private readonly admin: ProjectionAdminService) {}

  async check(): Promise<HealthCheckResult> {
    const views = (await this.admin.list()).filter((v) => v.registered);
    const problems: string[] = [];
    const items = views.map((v): ProjectionHealth => {
      if (v.status === 'failed') problems.push(`${v.name} stopped at position ${v.failure?.globalPosition ?? '?'}`);
      else if (!v.leaderAlive) problems.push(`no instance leads ${v.name}`);
      return {
        name: v.name,
        status: v.status,
        position: v.position,
        lagEvents: v.lagEvents,
        leaderAlive: v.leaderAlive,
        ...(v.failure && { failedAt: { globalPosition: v.failure.globalPosition, eventType: v.failure.eventType } }),
        ...(v.rebuild && (v.rebuild.status === 'requested' || v.rebuild.status === 'running') && { rebuild: v.rebuild.status }),
      };
    });
    return { status: problems.length > 0 ? 'down' : 'up', ...(problems.length > 0 && { error: problems.join('; ') }), items };
  }
}
