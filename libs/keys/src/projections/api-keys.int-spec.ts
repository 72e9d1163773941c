import { randomUUID } from 'node:crypto';
import { CommandRunner, EventStore } from '@cave/event-store';
import type { CommandMeta } from '@cave/kernel';
import { createTestDatabase, TestDatabase } from '@cave/testing';
import { ApiKeyAuthenticator } from '../auth/api-key.authenticator';
import { generateApiKey, hashApiKey } from '../auth/api-key-secret';
import { API_KEY_RETRIES, apiKeyStream } from '../commands/api-key.stream';
import { apiKeyStreamId } from '../contracts/api-key.events';
import { ApiKeyCommand } from '../domain/api-key.commands';
import { ApiKeyAlreadyExistsError } from '../domain/api-key.errors';
import { apiKeyProjection } from './api-keys.write';
import { apiKeysReadModel } from './api-keys.read-model';

describe('api_keys read model, RLS and authentication lookup (real Postgres)', () => {
  let t: TestDatabase;
  let runner: CommandRunner;
  let auth: ApiKeyAuthenticator;
  const meta: CommandMeta = { actor: 'test', namespace: 'system', role: 'admin', correlationId: 'corr-1', channel: 'http' };
  /** A key command in the key's namespace, as the issue and revoke handlers run it. */
  const repo = {
    execute: (namespace: string, keyId: string, command: ApiKeyCommand, m: CommandMeta) =>
      runner.run(apiKeyStream, {
        streamId: apiKeyStreamId(keyId),
        command,
        meta: m,
        namespace,
        transaction: command.type === 'issue_key' ? 'admin' : 'tenant',
        retries: API_KEY_RETRIES,
        project: (event) => apiKeyProjection(event, m.actor),
      }),
  };

  const issue = async (namespace: string, key = generateApiKey(), role: 'member' | 'admin' = 'member') => {
    const keyId = randomUUID();
    await repo.execute(namespace, keyId, {
      type: 'issue_key',
      data: { keyId, namespace, name: `key of ${namespace}`, role, prefix: key.slice(0, 12), secretSha256: hashApiKey(key), now: new Date() },
    }, meta);
    return { keyId, key };
  };
  const revoke = (namespace: string, keyId: string) =>
    repo.execute(namespace, keyId, { type: 'revoke_key', data: { keyId, requestedBy: { keyId: 'test', role: 'admin' }, now: new Date() } }, meta);

  beforeAll(async () => {
    t = await createTestDatabase();
    runner = new CommandRunner(t.db, new EventStore(t.db));
    auth = new ApiKeyAuthenticator(t.db);
  });
  afterAll(() => t.drop());

  it('writes the event and the read-model row in one transaction', async () => {
    const { keyId } = await issue('alpha');
    const row = await t.db.tenant('alpha', (c) => apiKeysReadModel.get(c, keyId));
    expect(row).toMatchObject({ id: keyId, namespace: 'alpha', role: 'member', status: 'active', revokedAt: null });
    const { rows } = await t.db.admin.query('select namespace, stream_type, metadata from events where stream_id = $1', [`api_key-${keyId}`]);
    expect(rows).toEqual([{ namespace: 'alpha', stream_type: 'api_key', metadata: { actor: 'test', correlationId: 'corr-1', channel: 'http' } }]);
  });

  it('rolls the event back when the projection fails (duplicate active secret)', async () => {
    const key = generateApiKey();
    await issue('alpha', key);
    const keyId = randomUUID();
    const attempt = repo.execute('alpha', keyId, {
      type: 'issue_key',
      data: { keyId, namespace: 'alpha', name: 'dup', role: 'member', prefix: key.slice(0, 12), secretSha256: hashApiKey(key), now: new Date() },
    }, meta);
    await expect(attempt).rejects.toBeInstanceOf(ApiKeyAlreadyExistsError);
    const { rows } = await t.db.admin.query('select count(*)::int as n from events where stream_id = $1', [`api_key-${keyId}`]);
    expect(rows[0].n).toBe(0);
  });

  it('shows cave_app in namespace B none of A\'s keys or key events', async () => {
    const a = await issue('tenant-a');
    await issue('tenant-b');
    const seenByB = await t.db.tenant('tenant-b', async (c) => ({
      keys: (await c.query('select namespace from api_keys')).rows,
      byId: (await c.query('select 1 from api_keys where id = $1', [a.keyId])).rowCount,
      events: (await c.query(`select namespace from events where stream_type = 'api_key'`)).rows,
      updated: (await c.query('update api_keys set revoked_at = now() where id = $1', [a.keyId])).rowCount,
    }));
    expect(seenByB.keys).toEqual([{ namespace: 'tenant-b' }]);
    expect(seenByB.byId).toBe(0);
    expect(seenByB.events).toEqual([{ namespace: 'tenant-b' }]);
    expect(seenByB.updated).toBe(0);
    const asAdmin = await t.db.asAdmin((c) => apiKeysReadModel.list(c, { namespace: 'tenant-a' }));
    expect(asAdmin.map((k) => k.id)).toEqual([a.keyId]);
  });

  it('lets cave_app neither read without a namespace nor insert a key (least of all into another namespace)', async () => {
    const { rows } = await t.db.app.query('select count(*)::int as n from api_keys');
    expect(rows[0].n).toBe(0);
    const forged = t.db.tenant('tenant-b', (c) =>
      c.query(`insert into api_keys (id, namespace, name, role, prefix, secret_sha256, created_at, version)
               values ($1, 'tenant-a', 'forged', 'admin', 'cave_sk_xxxx', $2, now(), 1)`, [randomUUID(), 'f'.repeat(64)]),
    );
    // Denied by privilege first (only cave_admin issues keys); RLS would refuse the foreign namespace too.
    await expect(forged).rejects.toThrow(/permission denied|row-level security/);
  });

  it('authenticates across namespaces by hash only, and a revoked key on its next lookup fails', async () => {
    const a = await issue('auth-a', undefined, 'admin');
    const b = await issue('auth-b');
    expect(await auth.authenticate(a.key)).toEqual({ keyId: a.keyId, namespace: 'auth-a', role: 'admin' });
    expect(await auth.authenticate(b.key)).toEqual({ keyId: b.keyId, namespace: 'auth-b', role: 'member' });
    expect(await auth.authenticate(generateApiKey())).toBeUndefined();
    expect(await auth.authenticate('cave_sk_tooshort')).toBeUndefined();
    await revoke('auth-b', b.keyId);
    expect(await auth.authenticate(b.key)).toBeUndefined();
    // The definer function answers exact hashes only: it cannot enumerate keys.
    const probe = await t.db.app.query(`select * from cave_authenticate_api_key($1)`, ['%']);
    expect(probe.rows).toEqual([]);
  });

  it('projects a revocation once even if applied again (replay safety)', async () => {
    const { keyId } = await issue('replay');
    await revoke('replay', keyId);
    const first = await t.db.tenant('replay', (c) => apiKeysReadModel.get(c, keyId));
    const second = await revoke('replay', keyId);
    expect(second.events).toEqual([]);
    expect(await t.db.tenant('replay', (c) => apiKeysReadModel.get(c, keyId))).toEqual(first);
  });
});
