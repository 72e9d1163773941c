import { Injectable } from '@nestjs/common';

/** One component's part of /healthz. `disabled` never fails the probe; `down` fails it only when critical. */
export interface HealthCheckResult {
  status: 'up' | 'down' | 'disabled';
  error?: string;
  [detail: string]: unknown;
}

/**
 * A library reports its own health without the daemon knowing about it: it registers a
 * contributor here (usually in onModuleInit) and /healthz lists it under `checks.<name>`.
 */
export interface HealthContributor {
  readonly name: string;
  /** When false, `down` shows as `degraded` (HTTP 200) instead of failing readiness. */
  readonly critical: boolean;
  check(): Promise<HealthCheckResult>;
}

@Injectable()
export class HealthRegistry {
  private readonly contributors = new Map<string, HealthContributor>();

  register(contributor: HealthContributor): void {
    if (this.contributors.has(contributor.name)) throw new Error(`health contributor "${contributor.name}" registered twice`);
    this.contributors.set(contributor.name, contributor);
  }

  list(): HealthContributor[] {
    return [...this.contributors.values()];
  }
}
