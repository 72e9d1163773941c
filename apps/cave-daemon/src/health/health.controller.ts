import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { Public } from '@cave/http';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Database, pendingMigrations } from '@cave/event-store';
import { HealthDto } from './health.dto';

@ApiTags('operations')
@Public()
@Controller()
export class HealthController {
  constructor(private readonly db: Database) {}

  @Get('healthz')
  @ApiOperation({ summary: 'Liveness and readiness: database reachable and every migration applied (no API key needed)' })
  @ApiOkResponse({ description: 'Database up and every migration applied', type: HealthDto })
  @ApiServiceUnavailableResponse({ description: 'Database unreachable or migrations pending', type: HealthDto })
  async health(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthDto> {
    const result: HealthDto = { status: 'ok', checks: { database: { status: 'up' }, migrations: { status: 'up', pending: [] } } };
    try {
      await this.db.admin.query('select 1');
      const pending = await pendingMigrations(this.db.admin);
      result.checks.migrations = { status: pending.length === 0 ? 'up' : 'down', pending };
    } catch (e) {
      result.checks.database = { status: 'down', error: (e as Error).message };
      result.checks.migrations = { status: 'down', pending: [] };
    }
    if (Object.values(result.checks).some((c) => c.status !== 'up')) {
      result.status = 'error';
      void reply.status(HttpStatus.SERVICE_UNAVAILABLE);
    }
    return result;
  }
}
