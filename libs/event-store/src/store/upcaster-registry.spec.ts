import { RecordedEvent } from './event.types';
import { UpcasterRegistry } from './upcaster-registry';

const v1 = (data: unknown): RecordedEvent => ({
  globalPosition: 1, transactionId: '1', eventId: 'e', namespace: 'ns', streamType: 't', streamId: 's',
  streamVersion: 1, type: 'thing_named', schemaVersion: 1, data, metadata: {}, recordedAt: new Date(0), cursor: '1:1',
});

describe('UpcasterRegistry', () => {
  it('chains steps until the current version', () => {
    const reg = new UpcasterRegistry()
      .register('thing_named', 1, (d) => ({ fullName: (d as { name: string }).name }))
      .register('thing_named', 2, (d) => ({ ...(d as object), locale: 'en' }));
    const e = reg.upcast(v1({ name: 'a' }));
    expect(e.schemaVersion).toBe(3);
    expect(e.data).toEqual({ fullName: 'a', locale: 'en' });
  });

  it('leaves events without an upcaster untouched', () => {
    const e = v1({ name: 'a' });
    expect(new UpcasterRegistry().upcast(e)).toBe(e);
  });

  it('refuses two upcasters for the same step', () => {
    const reg = new UpcasterRegistry().register('x', 1, (d) => d);
    expect(() => reg.register('x', 1, (d) => d)).toThrow(/already registered/);
  });
});
