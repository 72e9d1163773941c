import { Controller, Get, Header } from '@nestjs/common';
import type { Principal } from '@cave/kernel';
import { OptionalPrincipal, PublicWithOptionalKey } from '@cave/http';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { MetricsService } from './metrics.service';

@ApiTags('operations')
@Controller()
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get('metrics')
  @PublicWithOptionalKey()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOperation({
    summary: 'Prometheus metrics',
    description: 'Without an admin key only the process runtime metrics (`process_*`, `nodejs_*`); with one (`Authorization: Bearer`) every `cave_*` metric too, whose labels name namespaces',
  })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text exposition format', schema: { type: 'string', example: 'cave_events_appended_total{stream_type="sandbox"} 42' } })
  async scrape(@OptionalPrincipal() principal: Principal | undefined): Promise<string> {
    const open = await this.metrics.publicRegistry.metrics();
    return principal?.role === 'admin' ? open + (await this.metrics.registry.metrics()) : open;
  }
}
