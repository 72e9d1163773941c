import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { InvalidInputError } from '@cave/kernel';
import type { CommandMeta, Principal } from '@cave/kernel';
import { ApiProblems, CurrentCommandMeta, CurrentPrincipal } from '@cave/http';
import { CreateEmbeddingsCommand, EmbedResult } from '../commands/create-embeddings/create-embeddings.command';
import { parseEmbedRequest } from '../domain/embed-request';
import { LlmUsageReadModel } from '../projections/llm-usage.read-model';
import { EmbeddingsDto, EmbeddingsRequestDto, UsageListDto, UsageQueryDto } from './llm.dto';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function base64(v: number[]): string {
  const f = new Float32Array(v);
  return Buffer.from(f.buffer, f.byteOffset, f.byteLength).toString('base64');
}

/** `POST /api/v1/llm/embed` (OpenAI embeddings shape) and the namespace's usage. */
@ApiTags('llm')
@ApiBearerAuth('apiKey')
@ApiProblems(401, 403)
@Controller('api/v1/llm')
export class EmbeddingsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly usage: LlmUsageReadModel,
  ) {}

  @Post(['embed', 'embeddings'])
  @HttpCode(200)
  @ApiOperation({ summary: 'Embeddings (OpenAI shape)', description: 'One vector per input, of the model\'s embedding length. Records `embed_completed`.' })
  @ApiBody({ type: EmbeddingsRequestDto })
  @ApiOkResponse({ type: EmbeddingsDto })
  @ApiProblems(400, 404, 429, 503)
  async embed(@Body() body: unknown, @CurrentCommandMeta() meta: CommandMeta): Promise<EmbeddingsDto> {
    const receivedAt = performance.now();
    const request = parseEmbedRequest(body);
    const r: EmbedResult = await this.commands.execute(new CreateEmbeddingsCommand(request, meta, new AbortController().signal, receivedAt));
    return {
      object: 'list',
      data: r.vectors.map((v, index) => ({ object: 'embedding', index, embedding: request.encoding === 'base64' ? base64(v) : v })),
      model: r.model,
      usage: { prompt_tokens: r.promptTokens, total_tokens: r.promptTokens },
      provider: r.provider,
    };
  }

  @Get('usage')
  @ApiOperation({ summary: "Your namespace's token usage per UTC day and model", description: 'From the `llm_usage` read model (a projector: a request shows up within moments).' })
  @ApiOkResponse({ type: UsageListDto })
  @ApiProblems(400)
  async list(@Query() q: UsageQueryDto, @CurrentPrincipal() p: Principal): Promise<UsageListDto> {
    const today = new Date().toISOString().slice(0, 10);
    const from = q.from ?? today;
    const to = q.to ?? from;
    const bad = [from, to].some((d) => !DAY.test(d) || Number.isNaN(Date.parse(`${d}T00:00:00Z`)) || new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10) !== d);
    if (bad) throw new InvalidInputError([{ field: 'from', message: 'from and to are UTC days YYYY-MM-DD' }]);
    return { items: await this.usage.list(p.namespace, from, to) };
  }
}
