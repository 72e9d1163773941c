import { Injectable } from '@nestjs/common';
import { Database } from '@cave/event-store';

export interface UsageRow {
  day: string;
  model: string;
  requests: number;
  promptTokens: number;
  completionTokens: number;
}

/** Reads `llm_usage` as `cave_app` under RLS: a namespace sees its own rows only. */
@Injectable()
export class LlmUsageReadModel {
  constructor(private readonly db: Database) {}

  /** Prompt + completion tokens of the namespace on the UTC day `day` (YYYY-MM-DD), over all models. */
  async tokensOn(namespace: string, day: string): Promise<number> {
    return this.db.tenant(namespace, async (c) => {
      const r = await c.query<{ n: string | null }>(`select sum(prompt_tokens + completion_tokens)::text as n from llm_usage where day = $1::date`, [day]);
      return Number(r.rows[0].n ?? 0);
    });
  }

  async list(namespace: string, from: string, to: string): Promise<UsageRow[]> {
    return this.db.tenant(namespace, async (c) => {
      const r = await c.query<{ day: string; model: string; requests: string; prompt_tokens: string; completion_tokens: string }>(
        `select to_char(day, 'YYYY-MM-DD') as day, model, requests::text, prompt_tokens::text, completion_tokens::text
         from llm_usage where day between $1::date and $2::date order by day, model limit 1000`,
        [from, to],
      );
      return r.rows.map((x) => ({ day: x.day, model: x.model, requests: Number(x.requests), promptTokens: Number(x.prompt_tokens), completionTokens: Number(x.completion_tokens) }));
    });
  }
}
