import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { NewEvent } from '@cave/event-store';

export const BENCH_NAMESPACE = 'bench';
export const BENCH_STREAM_TYPE = 'sandbox';
export const BENCH_ACTOR = 'key-bench';

/** A realistic event: the shape and size (~250 bytes of JSON) of a sandbox creation. */
export function sandboxCreated(i: number): NewEvent {
  return {
    type: 'sandbox_created',
    data: {
      name: `bench-sandbox-${i}`,
      mode: 'quick',
      runtime: 'javascript',
      policy: { memoryMb: 64, timeoutMs: 5000, maxOutputBytes: 65536, network: false },
      labels: { team: 'bench', index: String(i) },
    },
  };
}

/** The metadata EventStore.append writes for the options the benchmark passes. */
export function benchMetadata(correlationId: string): Record<string, string> {
  return { actor: BENCH_ACTOR, correlationId };
}

const COLUMNS = 'event_id, namespace, stream_type, stream_id, stream_version, event_type, schema_version, data, metadata';
const PER_ROW = 9;

/**
 * The ceiling: the same rows as a bare INSERT (one statement, its own implicit transaction), with
 * no version check, no idempotency, no function call and no RLS (run as the superuser).
 * `events` are the rows of one new stream, versions 1..n.
 */
export async function rawInsertStream(
  pool: Pool,
  streamId: string,
  events: NewEvent[],
  correlationId: string,
  opts: { prepared?: boolean } = {},
): Promise<void> {
  const params: unknown[] = [];
  const tuples = events.map((e, k) => {
    params.push(
      randomUUID(),
      BENCH_NAMESPACE,
      BENCH_STREAM_TYPE,
      streamId,
      k + 1,
      e.type,
      e.schemaVersion ?? 1,
      JSON.stringify(e.data),
      JSON.stringify(benchMetadata(correlationId)),
    );
    const b = k * PER_ROW;
    return `(${Array.from({ length: PER_ROW }, (_, j) => `$${b + j + 1}`).join(', ')})`;
  });
  const text = `insert into events (${COLUMNS}) values ${tuples.join(', ')}`;
  // A prepared variant is a reference point only: the ceiling the targets use is the plain loop.
  await pool.query(opts.prepared ? { name: `bench_raw_insert_${events.length}`, text, values: params } : { text, values: params });
}
