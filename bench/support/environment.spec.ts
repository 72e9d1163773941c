import { environmentLines } from './environment';

describe('environmentLines', () => {
  it('names the machine, the versions and the durability settings', () => {
    const lines = environmentLines(
      { cpuModel: 'AMD EPYC', cores: 2, memoryGiB: 23.5, node: 'v20.20.2', loadAverage: 1.5, date: '2026-11-25T16:00:00Z' },
      { postgresVersion: '18.1', settings: { fsync: 'on', synchronous_commit: 'on' } },
      2.25,
    );
    expect(lines).toEqual([
      '- Measured 2026-11-25T16:00:00Z on AMD EPYC, 2 cores, 23.5 GiB RAM (load average 1.5 at start, 2.25 at end).',
      '- Node v20.20.2, PostgreSQL 18.1 (embedded, fresh cluster, default durable settings: fsync=on, synchronous_commit=on).',
    ]);
  });
});
