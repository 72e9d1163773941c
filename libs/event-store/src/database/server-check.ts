import { Client } from 'pg';

export interface ServerFacts {
  versionNum: number;
  walLevel: string;
  database: string;
}

/** Reads what the rest of CAVE depends on from the server before anything else touches it. */
export async function inspectServer(ownerUrl: string): Promise<ServerFacts> {
  const client = new Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ v: string; wal: string; db: string }>(
      `select current_setting('server_version_num') as v, current_setting('wal_level') as wal, current_database() as db`,
    );
    const facts = { versionNum: Number(rows[0].v), walLevel: rows[0].wal, database: rows[0].db };
    if (facts.versionNum < 150000) {
      throw new Error(`PostgreSQL 15 or newer is required (server reports ${rows[0].v})`);
    }
    return facts;
  } finally {
    await client.end();
  }
}
