import { Controller, Get, HttpStatus, Logger, Res } from '@nestjs/common';
import { isDatabaseUnavailable, Public } from '@cave/http';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Database, pendingMigrations } from '@cave/event-store';
import { HealthRegistry } from '@cave/observability';
import { HealthDto } from './health.dto';
import { MIGRATIONS } from '@cave/migrations';

@ApiTags('operations')
@Public()
@Controller()
export class HealthController {
  private readonly logger = new Logger('Health');

  constructor(
    private readonly db: Database,
    private readonly registry: HealthRegistry,
  ) {}

  @Get('healthz')
  @ApiOperation({ summary: 'Liveness and readiness: database reachable, every migration applied, realtime slot (no API key needed)' })
  @ApiOkResponse({ type: HealthDto })
  @ApiServiceUnavailableResponse({ type: HealthDto })
  async health(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthDto> {
    const result: HealthDto = { status: 'ok', checks: { database: { status: 'up' }, migrations: { status: 'up', pending: [] } } };
    try {
      await this.db.admin.query('select 1');
      const pending = await pendingMigrations(this.db.admin, MIGRATIONS);
      result.checks.migrations = { status: pending.length === 0 ? 'up' : 'down', pending };
    } catch (e) {
      result.checks.database = { status: 'down', error: this.publicReason(e) };
      result.checks.migrations = { status: 'down', pending: [] };
    }
    let degraded = false;
    for (const c of this.registry.list()) {
      const check = await c.check().catch((e: unknown) => ({ status: 'down' as const, error: this.publicReason(e) }));
      (result.checks as unknown as Record<string, unknown>)[c.name] = check;
      if (check.status === 'down' && !c.critical) degraded = true;
      if (check.status === 'down' && c.critical) result.status = 'error';
    }
    if (result.checks.database.status !== 'up' || result.checks.migrations.status !== 'up') result.status = 'error';
    if (result.status === 'error') void reply.status(HttpStatus.SERVICE_UNAVAILABLE);
    else if (degraded) result.status = 'degraded';
    return result;
  }

  /**
   * /healthz is unauthenticated: it says what is wrong, not where the database lives (driver
   * messages carry host and port). The full error goes to the log.
   */
  private publicReason(e: unknown): string {
    this.logger.warn({ err: e }, 'health check failed');
    return isDatabaseUnavailable(e) ? 'database unreachable' : 'check failed; see server logs';
  }
}
