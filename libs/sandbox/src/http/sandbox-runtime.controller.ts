import { Body, Controller, Get, HttpCode, Param, Post, Put, Req, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CommandMeta, Principal } from '@cave/kernel';
import { ApiProblems, CurrentCommandMeta, CurrentPrincipal, UuidParamPipe, versionETag } from '@cave/http';
import { Idempotent } from '@cave/idempotency';
import { CreateSnapshotCommand, SnapshotView } from '../commands/create-snapshot/create-snapshot.command';
import { ExecResult, ExecSandboxCommand } from '../commands/exec-sandbox/exec-sandbox.command';
import { ForkSandboxCommand } from '../commands/fork-sandbox/fork-sandbox.command';
import { RestoreSnapshotCommand } from '../commands/restore-snapshot/restore-snapshot.command';
import { UploadModuleCommand } from '../commands/upload-module/upload-module.command';
import { SandboxCommandResult } from '../commands/sandbox.stream';
import { ListSnapshotsQuery } from '../queries/list-snapshots/list-snapshots.query';
import { SandboxDto } from './sandbox.dto';
import { toSandboxDto } from './sandbox.mapper';
import { ExecRequestDto, ExecResultDto, ModuleDto, RestoreResultDto, SnapshotDto, SnapshotRefDto, SnapshotTreeDto } from './sandbox-runtime.dto';

const ID = ApiParam({ name: 'id', format: 'uuid', description: 'Sandbox id' });

/** REST edge of the sandbox runtimes: exec, WASI modules, snapshots, restore, fork. Bodies are parsed by the domain. */
@ApiTags('sandboxes')
@ApiBearerAuth('apiKey')
@ApiProblems(401, 403)
@Controller('api/v1/sandboxes')
export class SandboxRuntimeController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post(':id/exec')
  @HttpCode(200)
  @ID
  @ApiOperation({
    summary: 'Run code in a running sandbox',
    description:
      'javascript: `code` in QuickJS/WASM; wasi: the uploaded module with `args`, `stdin`, `env`. Output streams live to realtime channel ' +
      '`stream:sandbox-<id>` as `exec_output` {execId, stream, chunk, seq} before this response. Appends `sandbox_exec` to `sandbox-runtime-<id>`. ' +
      'A guest TIMEOUT, OOM or RUNTIME_ERROR is a 200 with `error`; 409 when the sandbox is not running; 429 (Retry-After) beyond the concurrency caps.',
  })
  @ApiBody({ type: ExecRequestDto })
  @ApiOkResponse({ description: 'The result of the exec', type: ExecResultDto })
  @ApiProblems(400, 404, 409, 422, 429, 503)
  exec(@Param('id', UuidParamPipe) id: string, @Body() body: unknown, @CurrentCommandMeta() m: CommandMeta): Promise<ExecResult> {
    return this.commands.execute(new ExecSandboxCommand(id, body ?? {}, m));
  }

  @Put(':id/module')
  @ID
  @ApiOperation({ summary: 'Upload the WASI preview1 module of a wasi sandbox', description: 'Body: the raw `.wasm` bytes. Validated, size-capped by policy, stored by SHA-256. Appends `sandbox_module_uploaded`.' })
  @ApiConsumes('application/wasm')
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiOkResponse({ description: 'The stored module', type: ModuleDto })
  @ApiProblems(400, 404, 409, 413, 415, 422)
  uploadModule(@Param('id', UuidParamPipe) id: string, @Req() req: FastifyRequest, @CurrentCommandMeta() m: CommandMeta): Promise<ModuleDto> {
    return this.commands.execute(new UploadModuleCommand(id, Buffer.isBuffer(req.body) ? req.body : undefined, m));
  }

  @Post(':id/snapshots')
  @ID
  @ApiOperation({ summary: 'Snapshot a persistent sandbox', description: 'Its memory image at rest, compressed and content-addressed. Appends `sandbox_snapshot_created`.' })
  @ApiCreatedResponse({ description: 'The new snapshot', type: SnapshotDto })
  @ApiProblems(404, 409, 429)
  async snapshot(@Param('id', UuidParamPipe) id: string, @CurrentCommandMeta() m: CommandMeta): Promise<SnapshotDto> {
    return toSnapshotDto(await this.commands.execute(new CreateSnapshotCommand(id, m)));
  }

  @Get(':id/snapshots')
  @ID
  @ApiOperation({ summary: 'The snapshot tree of a sandbox' })
  @ApiOkResponse({ description: 'Snapshots with their parents', type: SnapshotTreeDto })
  @ApiProblems(404)
  async snapshots(@Param('id', UuidParamPipe) id: string, @CurrentPrincipal() p: Principal): Promise<SnapshotTreeDto> {
    const tree: { items: SnapshotView[]; head: string | null } = await this.queries.execute(new ListSnapshotsQuery(p.namespace, id));
    return { items: tree.items.map(toSnapshotDto), head: tree.head };
  }

  @Post(':id/restore')
  @HttpCode(200)
  @ID
  @ApiOperation({ summary: 'Backtrack a persistent sandbox to a snapshot', description: 'Appends `sandbox_restored`; 409 when this runtime cannot load the snapshot.' })
  @ApiBody({ type: SnapshotRefDto })
  @ApiOkResponse({ description: 'The restored state version', type: RestoreResultDto })
  @ApiProblems(400, 404, 409, 429)
  restore(@Param('id', UuidParamPipe) id: string, @Body() body: unknown, @CurrentCommandMeta() m: CommandMeta): Promise<RestoreResultDto> {
    return this.commands.execute(new RestoreSnapshotCommand(id, body, m));
  }

  @Post(':id/fork')
  @Idempotent()
  @ID
  @ApiOperation({ summary: 'Create a new sandbox from a snapshot', description: 'Appends `sandbox_created` to the new sandbox and `sandbox_forked` to its runtime stream.' })
  @ApiBody({ type: SnapshotRefDto })
  @ApiCreatedResponse({ description: 'The new sandbox (state `created`)', type: SandboxDto })
  @ApiProblems(400, 403, 404, 409, 422)
  async fork(
    @Param('id', UuidParamPipe) id: string,
    @Body() body: unknown,
    @CurrentCommandMeta() m: CommandMeta,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SandboxDto> {
    const result: SandboxCommandResult = await this.commands.execute(
      new ForkSandboxCommand(id, body, m),
    );
    void reply.header('etag', versionETag(result.sandbox.version)).header('location', `/api/v1/sandboxes/${result.sandbox.id}`);
    return toSandboxDto(result.sandbox);
  }
}

function toSnapshotDto(s: SnapshotView): SnapshotDto {
  return { ...s, createdAt: new Date(s.createdAt).toISOString() };
}
