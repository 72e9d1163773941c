import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { Principal } from '@cave/kernel';
import { AdminOnly, ApiProblems, CurrentPrincipal, RequestValidationError } from '@cave/http';
import { ProjectionAdminService } from '../admin/projection-admin.service';
import { toProjectionDto } from './dto.mapper';
import { ProjectionDto, ProjectionListDto, SkipEventDto } from './projection.dto';

@ApiTags('admin: projections')
@ApiBearerAuth('apiKey')
@AdminOnly()
@ApiProblems(401, 403)
@Controller('api/v1/admin/projections')
export class ProjectionsAdminController {
  constructor(private readonly admin: ProjectionAdminService) {}

  @Get()
  @ApiOperation({ summary: 'Every projection: checkpoint, lag, leader, failure and rebuild progress' })
  @ApiOkResponse({ type: ProjectionListDto })
  async list(): Promise<ProjectionListDto> {
    return { items: (await this.admin.list()).map(toProjectionDto) };
  }

  @Get(':name')
  @ApiOperation({ summary: 'One projection: checkpoint, lag, leader, failure and rebuild progress (position, events/s, ETA)' })
  @ApiOkResponse({ type: ProjectionDto })
  @ApiProblems(404)
  async get(@Param('name') name: string): Promise<ProjectionDto> {
    return toProjectionDto(await this.admin.get(name));
  }

  @Post(':name/rebuild')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Rebuild the read model from position 0 into shadow tables while the live ones keep serving; swap atomically when caught up',
    description: 'Idempotent: while a rebuild is pending or running this returns its progress. Follow it with GET.',
  })
  @ApiAcceptedResponse({ type: ProjectionDto })
  @ApiProblems(404, 409)
  async rebuild(@Param('name') name: string, @CurrentPrincipal() who: Principal): Promise<ProjectionDto> {
    return toProjectionDto(await this.admin.rebuild(name, who.keyId));
  }

  @Post(':name/retry')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Retry the event a failed projector stopped at (recorded as projection_retried)' })
  @ApiOkResponse({ type: ProjectionDto })
  @ApiProblems(404, 409)
  async retry(@Param('name') name: string, @CurrentPrincipal() who: Principal): Promise<ProjectionDto> {
    return toProjectionDto(await this.admin.retry(name, who.keyId));
  }

  @Post(':name/skip')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Step over the event a failed projector stopped at (recorded as projection_event_skipped)' })
  @ApiOkResponse({ type: ProjectionDto })
  @ApiBody({ type: SkipEventDto, required: false })
  @ApiProblems(400, 404, 409)
  async skip(@Param('name') name: string, @Body() body: unknown, @CurrentPrincipal() who: Principal): Promise<ProjectionDto> {
    const dto = await optionalBody(SkipEventDto, body);
    return toProjectionDto(await this.admin.skip(name, who.keyId, dto.globalPosition));
  }
}

/**
 * The body is optional here (`curl -X POST .../skip` must work), which the global pipe's
 * "a DTO body is a JSON object" rule would refuse; so it is validated by hand with the same rules.
 */
async function optionalBody<T extends object>(type: new () => T, body: unknown): Promise<T> {
  if (body === undefined || body === null || body === '') return new type();
  if (typeof body !== 'object' || Array.isArray(body)) throw new RequestValidationError([{ field: 'body', message: 'body must be a JSON object' }]);
  const dto = plainToInstance(type, body);
  const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) {
    throw new RequestValidationError(errors.flatMap((e) => Object.values(e.constraints ?? {}).map((message) => ({ field: e.property, message }))));
  }
  return dto;
}
