export { HealthRegistry } from './health-registry';
export type { HealthCheckResult, HealthContributor } from './health-registry';
export { MetricsService } from './metrics.service';
export { ObservabilityModule } from './observability.module';
export { backgroundSample } from './background-sample';
export { LogThrottle } from './log-throttle';
