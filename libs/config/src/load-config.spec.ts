import { ConfigError } from './config.errors';
import { loadConfig } from './load-config';

describe('loadConfig', () => {
  it('applies defaults for an empty environment', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.dataDir.endsWith('/data')).toBe(true);
  });

  it('collects every problem and never echoes a secret', () => {
    const secret = 'cave_sk_short';
    let error: unknown;
    try {
      loadConfig({ PORT: 'abc', DATABASE_URL: 'mysql://x', CAVE_BOOTSTRAP_ADMIN_KEY: secret, LOG_LEVEL: 'loud' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(4);
    expect((error as Error).message).not.toContain(secret);
  });

  it('accepts a valid bootstrap key and DATABASE_URL', () => {
    const c = loadConfig({ DATABASE_URL: 'postgres://u@localhost/db', CAVE_BOOTSTRAP_ADMIN_KEY: 'cave_sk_' + 'a'.repeat(32) });
    expect(c.databaseUrl).toBe('postgres://u@localhost/db');
  });

  it('caps realtime connections per address at 256 unless configured; 0 turns the cap off; other values are refused', () => {
    expect(loadConfig({}).realtime.maxConnectionsPerAddress).toBe(256);
    expect(loadConfig({ CAVE_REALTIME_MAX_CONNECTIONS_PER_ADDRESS: '12' }).realtime.maxConnectionsPerAddress).toBe(12);
    expect(loadConfig({ CAVE_REALTIME_MAX_CONNECTIONS_PER_ADDRESS: '0' }).realtime.maxConnectionsPerAddress).toBe(0);
    for (const bad of ['-1', '2.5', 'many', '1000001']) {
      expect(() => loadConfig({ CAVE_REALTIME_MAX_CONNECTIONS_PER_ADDRESS: bad })).toThrow(/CAVE_REALTIME_MAX_CONNECTIONS_PER_ADDRESS must be an integer between 0 and 1000000/);
    }
  });
});
