import { Controller, Get, Header } from '@nestjs/common';
import { Public } from '@cave/http';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { MetricsService } from './metrics.service';

@ApiTags('operations')
@Public()
@Controller()
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOperation({ summary: 'Prometheus metrics (no API key needed)' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text exposition format', schema: { type: 'string', example: 'cave_events_appended_total{stream_type="sandbox"} 42' } })
  async scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
