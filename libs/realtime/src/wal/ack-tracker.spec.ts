import { decodeCursor } from '@cave/event-store';
import { AckTracker } from './ack-tracker';

const c = (s: string) => decodeCursor(s);

describe('AckTracker', () => {
  it('confirms a commit only after its events were delivered', () => {
    const t = new AckTracker();
    t.received('0/100', c('10:1'));
    expect(t.delivered(c('9:5'))).toBeUndefined();
    expect(t.delivered(c('10:1'))).toBe('0/100');
    expect(t.pendingCount).toBe(0);
  });

  it('never confirms past an earlier commit that is still undelivered (commit order != cursor order)', () => {
    const t = new AckTracker();
    // xid 20 commits first (LSN 0/100), xid 10 later (0/200); the tail delivers 10 before 20.
    t.received('0/100', c('20:2'));
    t.received('0/200', c('10:1'));
    expect(t.delivered(c('10:1'))).toBeUndefined();
    expect(t.delivered(c('20:2'))).toBe('0/200');
  });

  it('answers keepalives with the last safe LSN, or the server position when idle', () => {
    const t = new AckTracker();
    expect(t.keepalive('0/50')).toBe('0/50');
    t.received('0/100', c('10:1'));
    expect(t.keepalive('0/180')).toBe('0/50');
    t.delivered(c('10:1'));
    expect(t.keepalive('0/200')).toBe('0/200');
  });

  it('forgets pending commits on reconnect (the server resends them)', () => {
    const t = new AckTracker();
    t.received('0/100', c('10:1'));
    t.reset();
    expect(t.delivered(c('10:1'))).toBeUndefined();
  });
});
