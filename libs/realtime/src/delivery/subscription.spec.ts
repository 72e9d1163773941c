import { decodeCursor, START } from '@cave/event-store';
import { resolveChannel } from '../channels/channel';
import { DeliverableEvent, RealtimeEventPayload } from './realtime-event';
import { Subscription } from './subscription';

const spec = resolveChannel('namespace', { keyId: 'k', namespace: 'acme', role: 'member' });
const ev = (cursor: string, namespace = 'acme'): DeliverableEvent => ({
  at: decodeCursor(cursor),
  event: { namespace, streamId: 's', streamType: 't' } as DeliverableEvent['event'],
  body: { cursor } as DeliverableEvent['body'],
});

function make(start = START, live = false) {
  const got: string[] = [];
  const sub = new Subscription('namespace', spec, start, live, (p: RealtimeEventPayload) => got.push(p.cursor));
  return { sub, got };
}

describe('Subscription seam between history and live', () => {
  it('hands over with no gap and no duplicate when history and the tail overlap', () => {
    const { sub, got } = make();
    sub.beginRound();
    // The tail dispatches 10:3 and 12:4 while the history read runs...
    sub.offer(ev('10:3'));
    sub.offer(ev('12:4'));
    // ...and the history read (younger snapshot) returns up to 10:3.
    for (const c of ['5:1', '7:2', '10:3']) sub.deliver(ev(c));
    sub.goLive();
    sub.offer(ev('12:4')); // a second instance's wake-up re-dispatch cannot duplicate
    sub.offer(ev('13:5'));
    expect(got).toEqual(['5:1', '7:2', '10:3', '12:4', '13:5']);
  });

  it('keeps the buffered tail events when history stops before them (the gap case)', () => {
    const { sub, got } = make();
    sub.beginRound();
    sub.offer(ev('12:4'));
    sub.deliver(ev('5:1'));
    sub.goLive();
    expect(got).toEqual(['5:1', '12:4']);
  });

  it('skips everything at or before a resume cursor, and other namespaces', () => {
    const { sub, got } = make(decodeCursor('10:3'), true);
    sub.offer(ev('10:3'));
    sub.offer(ev('11:9', 'other'));
    sub.offer(ev('12:4'));
    expect(got).toEqual(['12:4']);
  });

  it('emits nothing after close', () => {
    const { sub, got } = make(START, true);
    sub.close();
    sub.offer(ev('1:1'));
    expect(got).toEqual([]);
  });
});
