import { createHash } from 'node:crypto';
import { Client } from 'pg';

/** `cave_replicator` reads the WAL for realtime (docs/adr/0008); it exists once its migration ran. */
export type RuntimeRole = 'cave_app' | 'cave_admin' | 'cave_replicator';

/**
 * Login password for a runtime role, derived from the owner's credentials and host (not port or
 * database: roles are cluster-wide). Every daemon on the same server derives the same value, so
 * instances never reset each other's credentials, and nothing new has to be configured or stored;
 * it is as secret as DATABASE_URL itself.
 */
export function roleUrl(ownerUrl: string, role: RuntimeRole): string {
  const u = new URL(ownerUrl);
  u.username = role;
  u.password = derivePassword(ownerUrl, role);
  return u.toString();
}

function derivePassword(ownerUrl: string, role: RuntimeRole): string {
  const u = new URL(ownerUrl);
  const stable = `${u.username}:${decodeURIComponent(u.password)}@${u.hostname}`;
  return createHash('sha256').update(`cave-role-login:${role}:${stable}`).digest('base64url');
}

/** Lets the runtime roles log in with their derived password (roles are created by migrations). */
export async function provisionRoleLogins(ownerUrl: string): Promise<void> {
  const client = new Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ rolname: RuntimeRole }>(
      `select rolname from pg_roles where rolname in ('cave_app', 'cave_admin', 'cave_replicator') order by rolname`,
    );
    for (const { rolname: role } of rows) {
      const pw = derivePassword(ownerUrl, role);
      // ALTER ROLE takes no bind parameters; the password is base64url, so literal quoting is exact.
      await alterRoleRetrying(client, `alter role ${role} with login password ${client.escapeLiteral(pw)}`);
    }
  } finally {
    await client.end();
  }
}

/**
 * Roles are cluster-wide: daemons starting at once on different databases of one server update the same
 * pg_authid row, and PostgreSQL refuses the loser with "tuple concurrently updated" instead of waiting. The
 * password is derived, so every writer sets the same value: retrying is exact.
 */
async function alterRoleRetrying(client: Client, sql: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.query(sql);
      return;
    } catch (e) {
      const raced = (e as { code?: string; message?: string }).code === 'XX000' && /tuple concurrently updated/.test(String((e as Error).message));
      if (!raced || attempt >= 10) throw e;
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt + Math.floor(Math.random() * 20)));
    }
  }
}
