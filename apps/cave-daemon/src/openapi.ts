import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadConfig } from '@cave/config';
import { createApp } from './bootstrap/create-app';
import { buildOpenApiDocument } from './bootstrap/swagger';

/**
 * Writes openapi/openapi.yaml from the code without a database: the app is constructed but never
 * initialised, so no lifecycle hook connects anywhere (pg pools connect lazily).
 * `--check` exits 1 when the committed file differs (CI drift check).
 */
async function main(): Promise<void> {
  const unused = 'postgres://openapi@127.0.0.1:1/none';
  const app = await createApp(loadConfig({ LOG_LEVEL: 'silent' }), { appUrl: unused, adminUrl: unused }, { silent: true });
  const yaml = stringify(buildOpenApiDocument(app), { sortMapEntries: false, lineWidth: 0, aliasDuplicateObjects: false });
  const file = join(__dirname, '../../../openapi/openapi.yaml');
  if (process.argv.includes('--check')) {
    const { readFileSync, existsSync } = await import('node:fs');
    const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
    if (current !== yaml) {
      process.stderr.write('openapi/openapi.yaml is out of date: run `npm run openapi` and commit the result\n');
      process.exit(1);
    }
    process.stdout.write('openapi/openapi.yaml is up to date\n');
  } else {
    writeFileSync(file, yaml);
    process.stdout.write(`wrote ${file}\n`);
  }
  process.exit(0);
}

void main();
