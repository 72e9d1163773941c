import { Counter, Gauge, Registry } from 'prom-client';

/** Per-projector metrics, registered on the application's registry (`MetricsService.registry`). */
export class ProjectionMetrics {
  readonly position: Gauge<'projection'>;
  readonly lag: Gauge<'projection'>;
  readonly errors: Counter<'projection' | 'kind'>;
  readonly rebuildPosition: Gauge<'projection'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.position = new Gauge({ name: 'cave_projection_position', help: 'Global position of the last event the projector committed', labelNames: ['projection'], registers });
    this.lag = new Gauge({ name: 'cave_projection_lag_events', help: 'Events appended after the projector checkpoint (head position minus checkpoint position)', labelNames: ['projection'], registers });
    this.errors = new Counter({ name: 'cave_projection_errors_total', help: 'Projector failures: poison events (kind="poison"), retried infrastructure errors (kind="transient"), failed rebuilds (kind="rebuild"), failed after-commit hooks (kind="after_commit")', labelNames: ['projection', 'kind'], registers });
    this.rebuildPosition = new Gauge({ name: 'cave_projection_rebuild_position', help: 'Global position reached by a running rebuild (shadow tables)', labelNames: ['projection'], registers });
  }
}
