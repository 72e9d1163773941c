import { Controller, Get, HttpStatus, Logger, Res } from '@nestjs/common';
import { isDatabaseUnavailable, OptionalPrincipal, PublicWithOptionalKey } from '@cave/http';
import type { Principal } from '@cave/kernel';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Database, pendingMigrations } from '@cave/event-store';
import { HealthRegistry, LogThrottle } from '@cave/observability';
import { HealthDto } from './health.dto';
import { MIGRATIONS } from '@cave/migrations';

/** How long /healthz waits for any one check before calling it down. */
const CHECK_BUDGET_MS = 1_500;

class CheckTimeoutError extends Error {}

/** `fn()`, or a rejection after `ms` (the call itself runs on, bounded by the pool's own timeouts). */
function within<T>(ms: number, fn: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CheckTimeoutError(`no answer within ${ms} ms`)), ms);
  });
  const work = fn();
  // Once the budget is spent nobody awaits the call: its late failure must not become an unhandled rejection.
  work.catch(() => undefined);
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

@ApiTags('operations')
@Controller()
export class HealthController {
  private readonly logger = new Logger('Health');
  /** /healthz is anonymous and polled: one line per outage and 10 s, not one per probe. */
  private readonly failures = new LogThrottle(10_000);

  constructor(
    private readonly db: Database,
    private readonly registry: HealthRegistry,
  ) {}

  @Get('healthz')
  @PublicWithOptionalKey()
  @ApiOperation({
    summary: 'Liveness and readiness: database reachable, every migration applied, realtime slot',
    description: `No API key needed for the status (\`ok\`, \`degraded\`, \`error\` = HTTP 503); \`checks\` (positions, slot, sockets, projectors) only for an admin key. Answers within ${CHECK_BUDGET_MS / 1000} s even when the database stalls.`,
  })
  @ApiOkResponse({ type: HealthDto })
  @ApiServiceUnavailableResponse({ type: HealthDto })
  async health(@Res({ passthrough: true }) reply: FastifyReply, @OptionalPrincipal() principal: Principal | undefined): Promise<HealthDto> {
    const checks: HealthDto['checks'] & Record<string, unknown> = { database: { status: 'up' }, migrations: { status: 'up', pending: [] } };
    let status: HealthDto['status'] = 'ok';
    // Every check runs at once and each has the same budget: a stalled database costs one budget, not a
    // budget per check (and never the database's own, longer timeouts).
    const database = within(CHECK_BUDGET_MS, async () => {
      await this.db.admin.query('select 1');
      return pendingMigrations(this.db.admin, MIGRATIONS);
    });
    const contributors = this.registry.list().map((c) => ({
      c,
      result: within(CHECK_BUDGET_MS, () => c.check()).catch((e: unknown) => ({ status: 'down' as const, error: this.publicReason(e) })),
    }));
    try {
      const pending = await database;
      checks.migrations = { status: pending.length === 0 ? 'up' : 'down', pending };
    } catch (e) {
      checks.database = { status: 'down', error: this.publicReason(e) };
      checks.migrations = { status: 'down', pending: [] };
    }
    let degraded = false;
    for (const { c, result } of contributors) {
      const check = await result;
      checks[c.name] = check;
      if (check.status === 'down' && !c.critical) degraded = true;
      if (check.status === 'down' && c.critical) status = 'error';
    }
    if (checks.database.status !== 'up' || checks.migrations.status !== 'up') status = 'error';
    if (status === 'error') void reply.status(HttpStatus.SERVICE_UNAVAILABLE);
    else if (degraded) status = 'degraded';
    // Positions, slot names, socket counts and projector lag are everyone's activity: admins only.
    return principal?.role === 'admin' ? { status, checks } : { status };
  }

  /**
   * /healthz is unauthenticated: it says what is wrong, not where the database lives (driver
   * messages carry host and port). The full error goes to the log.
   */
  private publicReason(e: unknown): string {
    const line = this.failures.admit('database');
    if (line) this.logger.warn({ err: e, suppressed: line.suppressed }, 'health check failed');
    if (e instanceof CheckTimeoutError) return 'no answer in time';
    return isDatabaseUnavailable(e) ? 'database unreachable' : 'check failed; see server logs';
  }
}
