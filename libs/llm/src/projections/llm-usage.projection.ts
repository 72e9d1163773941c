import type { RecordedEvent } from '@cave/event-store';
import type { Projection } from '@cave/projections';
import { ChatCompletedData, EmbedCompletedData, LLM_USAGE_EVENT_TYPES } from '../contracts/llm.events';

interface Sum {
  namespace: string;
  day: string;
  model: string;
  requests: number;
  prompt: number;
  completion: number;
}

/** Usage per namespace, UTC day (of the event's `recordedAt`) and model: one upsert per group and batch. */
export function llmUsageProjection(): Projection {
  return {
    name: 'llm_usage',
    version: 1,
    eventTypes: LLM_USAGE_EVENT_TYPES,
    tables: ['llm_usage'],
    batchSize: 1000,
    async handle(events: RecordedEvent[], client, ctx) {
      const sums = new Map<string, Sum>();
      for (const e of events) {
        if (e.type !== 'chat_completed' && e.type !== 'embed_completed') continue;
        const d = e.data as ChatCompletedData | EmbedCompletedData;
        const completion = e.type === 'chat_completed' ? (d as ChatCompletedData).completionTokens : 0;
        const day = new Date(e.recordedAt).toISOString().slice(0, 10);
        const key = `${e.namespace}\0${day}\0${d.model}`;
        const s = sums.get(key) ?? { namespace: e.namespace, day, model: d.model, requests: 0, prompt: 0, completion: 0 };
        s.requests++;
        s.prompt += d.promptTokens;
        s.completion += completion;
        sums.set(key, s);
      }
      if (sums.size === 0) return;
      const rows = [...sums.values()];
      await client.query(
        `insert into ${ctx.table('llm_usage')} as u (namespace, day, model, requests, prompt_tokens, completion_tokens)
         select * from unnest($1::text[], $2::date[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[])
         on conflict (namespace, day, model) do update
           set requests = u.requests + excluded.requests,
               prompt_tokens = u.prompt_tokens + excluded.prompt_tokens,
               completion_tokens = u.completion_tokens + excluded.completion_tokens`,
        [rows.map((r) => r.namespace), rows.map((r) => r.day), rows.map((r) => r.model), rows.map((r) => r.requests), rows.map((r) => r.prompt), rows.map((r) => r.completion)],
      );
    },
  };
}
