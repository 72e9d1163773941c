import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly, ApiProblems } from '@cave/http';
import { BlobSweeper } from '../sweeper/blob-sweeper';
import { SweepReportDto } from './storage.dto';

@ApiTags('admin')
@ApiBearerAuth('apiKey')
@AdminOnly()
@ApiProblems(401, 403)
@Controller('api/v1/admin/storage')
export class StorageAdminController {
  constructor(private readonly sweeper: BlobSweeper) {}

  @Post('sweep')
  @HttpCode(200)
  @ApiOperation({ summary: 'Run the orphan sweeper now', description: 'Removes blobs no event references (older than the grace period) and stale temp files.' })
  @ApiOkResponse({ type: SweepReportDto })
  sweep(): Promise<SweepReportDto> {
    return this.sweeper.sweep();
  }
}
