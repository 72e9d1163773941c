import { Body, Controller, Param, Put } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { CommandMeta } from '@cave/kernel';
import { AdminOnly, ApiProblems, CurrentCommandMeta } from '@cave/http';
import { SetNamespacePolicyCommand } from '../commands/set-namespace-policy/set-namespace-policy.command';
import { NamespacePolicyDto, NamespacePolicyResultDto } from './sandbox-runtime.dto';

@ApiTags('admin')
@ApiBearerAuth('apiKey')
@AdminOnly()
@Controller('api/v1/admin/namespaces')
export class NamespacePolicyController {
  constructor(private readonly commands: CommandBus) {}

  @Put(':ns/policy')
  @ApiParam({ name: 'ns', description: 'Namespace' })
  @ApiOperation({
    summary: 'Set the sandbox policy of a namespace (admin keys only)',
    description: 'The whole document; omitted fields take defaults. Appends `namespace_policy_set`. Requests beyond it get 403/422 naming the rule.',
  })
  @ApiBody({ type: NamespacePolicyDto })
  @ApiOkResponse({ description: 'The complete policy now in force', type: NamespacePolicyResultDto })
  @ApiProblems(400, 401, 403, 404)
  set(@Param('ns') ns: string, @Body() body: unknown, @CurrentCommandMeta() m: CommandMeta): Promise<NamespacePolicyResultDto> {
    return this.commands.execute(new SetNamespacePolicyCommand(ns, body ?? {}, m));
  }
}
