import { randomUUID } from 'node:crypto';
import type { PoolClient } from 'pg';
import { assertNamespace, Database } from '../database/database';
import { appendFailure } from './append-error';
import { executeAppend } from './append-statement';
import { appendTransport } from './append-transport';
import { encodeCursor } from './event-cursor';
import { AppendResult, EventMetadata, ExpectedVersion, NewEvent } from './event.types';
import type { InlineProjection, SqlStatement } from './inline-projection';
import { PreconditionFailedError } from './concurrency.errors';

export interface AppendOptions {
  namespace: string;
  streamType: string;
  idempotencyKey?: string;
  actor?: string;
  correlationId?: string;
  causationId?: string;
  /** The edge the command came in through (`http`, `mcp`, `system`), recorded as `metadata.channel`. */
  channel?: string;
  /** Append inside the caller's transaction (inline projections); it must belong to `namespace`. */
  client?: PoolClient;
  /**
   * A read-model write executed in the same SQL statement as the append (so in the same transaction,
   * with or without `client`): one round trip for both. Only for single-event appends.
   */
  projection?: InlineProjection<unknown>;
  /**
   * A read the append depends on, run first in the same statement: a SELECT over the namespace's tables
   * (parameters `$1..$n` of `values`) that may lock what it reads (`for no key update`, so a concurrent writer of
   * those rows waits or is waited for). When it returns no row nothing is appended and the append fails with
   * PreconditionFailedError. Outside a caller's transaction the statement runs scoped to `namespace` (RLS).
   */
  precondition?: SqlStatement;
}

/** Called after every committed (non-replayed) append; metrics and wake-ups hook in here. */
export type AppendListener = (count: number, streamType: string) => void;

function payloadOf(events: NewEvent[], opts: AppendOptions): string {
  const common: EventMetadata = {
    ...(opts.actor !== undefined && { actor: opts.actor }),
    ...(opts.correlationId !== undefined && { correlationId: opts.correlationId }),
    ...(opts.causationId !== undefined && { causationId: opts.causationId }),
    ...(opts.idempotencyKey !== undefined && { idempotencyKey: opts.idempotencyKey }),
    ...(opts.channel !== undefined && { channel: opts.channel }),
  };
  return JSON.stringify(
    events.map((e) => ({
      eventId: e.eventId ?? randomUUID(),
      type: e.type,
      schemaVersion: e.schemaVersion ?? 1,
      data: e.data ?? {},
      metadata: { ...e.metadata, ...common },
    })),
  );
}

/**
 * Appends `events` to a stream in one statement (`cave_append`: version check, idempotency, insert), with the
 * projection's write in the same statement. 'any' and idempotent retries race benignly with concurrent
 * writers, so they are tried again a few times; any other conflict is the caller's ConcurrencyError.
 */
export async function appendEvents(
  db: Database,
  listeners: readonly AppendListener[],
  streamId: string,
  expected: ExpectedVersion,
  events: NewEvent[],
  opts: AppendOptions,
): Promise<AppendResult> {
  if (events.length === 0) throw new Error('append needs at least one event');
  assertNamespace(opts.namespace);
  const { projection, client } = opts;
  if (projection && events.length !== 1) throw new Error('an inline projection needs a single-event append');
  const expectedNum = expected === 'any' ? -1 : expected === 'no_stream' ? 0 : expected;
  const params = [opts.namespace, opts.streamType, streamId, expectedNum, payloadOf(events, opts), opts.idempotencyKey ?? null];
  const run = appendTransport(db, client, events.length, opts.namespace, opts.precondition !== undefined);
  for (let attempt = 0; ; attempt++) {
    try {
      const { rows, projected } = await executeAppend(run, params, projection, opts.precondition);
      if (rows.length === 0) throw new PreconditionFailedError(streamId);
      const last = rows[rows.length - 1];
      const replayed = rows[0].replayed;
      if (!replayed) {
        // Inside a caller's transaction the events are not committed yet: metrics and wake-ups
        // must wait for the commit (and never fire for a rollback).
        const notify = () => {
          for (const l of listeners) l(rows.length, opts.streamType);
        };
        if (client) db.afterCommit(client, notify);
        else notify();
      }
      return {
        streamId,
        nextExpectedVersion: last.stream_version,
        globalPositions: rows.map((r) => Number(r.global_position)),
        cursor: encodeCursor({ transactionId: BigInt(last.transaction_id), globalPosition: BigInt(last.global_position) }),
        recordedAt: last.recorded_at,
        replayed,
        ...(projected && { projected }),
      };
    } catch (e) {
      const { conflict, error } = appendFailure(e, streamId, expected, projection);
      const retryable = conflict && !client && attempt < 3 && (expected === 'any' || opts.idempotencyKey !== undefined);
      if (!retryable) throw error;
    }
  }
}
