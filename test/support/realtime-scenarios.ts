import type { INestApplication } from '@nestjs/common';
import { EventStore, RecordedEvent } from '@cave/event-store';
import { RealtimeService } from '@cave/realtime';
import { waitFor } from '@cave/testing';

/** The whole history of a namespace in commit-safe order: what a gap- and duplicate-free client must see. */
export async function readAllOf(store: EventStore, namespace: string): Promise<RecordedEvent[]> {
  const all: RecordedEvent[] = [];
  for (let after: string | number = 0; ; ) {
    const page = await store.readAll({ after, filter: { namespace } });
    if (page.events.length === 0) return all;
    all.push(...page.events);
    after = page.cursor;
  }
}

export const leaderOf = async <A extends INestApplication>(apps: A[], timeoutMs = 20_000): Promise<A> =>
  waitFor(
    async () => {
      for (const a of apps) if ((await a.get(RealtimeService).check()).role === 'leader') return a;
      return undefined;
    },
    timeoutMs,
    'a slot leader',
  );

/** Appends one event per tick until stopped, retrying through outages (idempotency keys: no duplicates). */
export function writer(store: EventStore, namespace: string, streamId: string) {
  let stop = false;
  let n = 0;
  const done = (async () => {
    while (!stop) {
      n++;
      for (;;) {
        try {
          await store.append(streamId, 'any', [{ type: 'tick', data: { n } }], { namespace, streamType: 'tick', idempotencyKey: `${streamId}-${n}` });
          break;
        } catch {
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  return {
    written: () => n,
    stop: async () => {
      stop = true;
      await done;
    },
  };
}
