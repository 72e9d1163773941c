import { Logger } from '@nestjs/common';
import { CommandBus, CqrsModule } from '@nestjs/cqrs';
import { Test, TestingModule } from '@nestjs/testing';
import { ConfigModule, loadConfig } from '@cave/config';
import { EventStoreModule } from '@cave/event-store';
import { ObservabilityModule } from '@cave/observability';
import { ProjectionsModule } from '@cave/projections';
import { createTestDatabase, TestDatabase } from '@cave/testing';
import { ApiKeyAuthenticator } from '../auth/api-key.authenticator';
import { RevokeKeyCommand } from '../commands/revoke-key/revoke-key.command';
import { KeysModule } from '../keys.module';
import { KeysBootstrapService } from './keys-bootstrap.service';
import { commandMetaFor } from '@cave/kernel';

/** One "daemon": the keys module with its real dependencies; init() runs the bootstrap. */
async function startDaemon(t: TestDatabase, env: Record<string, string> = {}): Promise<TestingModule> {
  const config = loadConfig({ LOG_LEVEL: 'silent', ...env });
  const module = await Test.createTestingModule({
    imports: [ConfigModule.forRoot(config), CqrsModule.forRoot(), EventStoreModule.forRoot(t, 4), ObservabilityModule, ProjectionsModule.forRoot({ run: false }), KeysModule],
  }).compile();
  await module.init();
  return module;
}

describe('KeysBootstrapService (real Postgres)', () => {
  let warn: jest.SpyInstance;
  let log: jest.SpyInstance;
  const daemons: TestingModule[] = [];
  const start = async (t: TestDatabase, env?: Record<string, string>) => {
    const d = await startDaemon(t, env);
    daemons.push(d);
    return d;
  };

  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await Promise.all(daemons.splice(0).map((d) => d.close()));
  });

  describe('without CAVE_BOOTSTRAP_ADMIN_KEY', () => {
    let t: TestDatabase;
    beforeAll(async () => {
      t = await createTestDatabase();
    });
    afterAll(() => t.drop());

    it('creates one admin key when two daemons start at once, prints it once, and never again', async () => {
      const [d1] = await Promise.all([start(t), start(t)]);
      const { rows } = await t.db.admin.query('select id, namespace, role from api_keys');
      expect(rows).toEqual([{ id: expect.any(String), namespace: 'system', role: 'admin' }]);
      expect(warn).toHaveBeenCalledTimes(1);
      const line = String(warn.mock.calls[0][0]);
      const key = /cave_sk_[A-Za-z0-9_-]{43}/.exec(line)?.[0];
      expect(key).toBeDefined();
      expect(await d1.get(ApiKeyAuthenticator).authenticate(key!)).toEqual({ keyId: rows[0].id, namespace: 'system', role: 'admin' });

      await start(t);
      expect(warn).toHaveBeenCalledTimes(1);
      expect((await t.db.admin.query('select count(*)::int as n from api_keys')).rows[0].n).toBe(1);
      const events = await t.db.admin.query(`select data::text as data, metadata from events where stream_type = 'api_key'`);
      expect(events.rows).toHaveLength(1);
      expect(events.rows[0].data).not.toContain(key!.slice(8));
      expect(events.rows[0].metadata.actor).toBe('system:bootstrap');
    });
  });

  describe('with CAVE_BOOTSTRAP_ADMIN_KEY', () => {
    const KEY = 'cave_sk_' + 'b'.repeat(40);
    let t: TestDatabase;
    beforeAll(async () => {
      t = await createTestDatabase();
    });
    afterAll(() => t.drop());

    it('ensures the configured key on every start; once revoked it stays revoked across restarts unless re-issued explicitly', async () => {
      const d1 = await start(t, { CAVE_BOOTSTRAP_ADMIN_KEY: KEY });
      const auth = d1.get(ApiKeyAuthenticator);
      const first = await auth.authenticate(KEY);
      expect(first).toMatchObject({ namespace: 'system', role: 'admin' });
      expect(await d1.get(KeysBootstrapService).ensureAdminAccess()).toBe('configured-key-present');

      await d1.get(CommandBus).execute(new RevokeKeyCommand(first!.keyId, commandMetaFor(first!, { channel: 'http', requestId: 'c' })));
      expect(await auth.authenticate(KEY)).toBeUndefined();

      // A restart with the variable still set: the revocation holds, and the operator is told why.
      const d2 = await start(t, { CAVE_BOOTSTRAP_ADMIN_KEY: KEY });
      expect(await auth.authenticate(KEY)).toBeUndefined();
      expect(await d2.get(KeysBootstrapService).ensureAdminAccess()).toBe('configured-key-revoked');
      expect(warn.mock.calls.some((c) => /CAVE_BOOTSTRAP_ADMIN_KEY .*revoked.*CAVE_BOOTSTRAP_ADMIN_KEY_REISSUE=true/.test(String(c[0])))).toBe(true);

      await start(t, { CAVE_BOOTSTRAP_ADMIN_KEY: KEY, CAVE_BOOTSTRAP_ADMIN_KEY_REISSUE: 'true' });
      const again = await auth.authenticate(KEY);
      expect(again).toMatchObject({ namespace: 'system', role: 'admin' });
      expect(again!.keyId).not.toBe(first!.keyId);
      const { rows } = await t.db.admin.query('select revoked_at is null as active from api_keys order by created_at');
      expect(rows).toEqual([{ active: false }, { active: true }]);
      for (const call of [...warn.mock.calls, ...log.mock.calls]) expect(JSON.stringify(call)).not.toContain(KEY);
      expect(log.mock.calls.some((c) => String(c[0]).includes('CAVE_BOOTSTRAP_ADMIN_KEY'))).toBe(true);
    });
  });
});
