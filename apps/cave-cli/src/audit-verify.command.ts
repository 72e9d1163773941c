import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { verifyLogFile } from '@cave/audit';
import { loadConfig } from '@cave/config';

const USAGE = `usage: cave audit verify [--file logs/audit.jsonl] [--checkpoint cp.txt --public-key <key or file>]
                         [--require-hmac] [--threads N] [--json]

Verifies an audit JSONL file offline (no database): canonical form, hash chain, HMACs (with
CAVE_AUDIT_LOG_HMAC_KEY / CAVE_AUDIT_LOG_HMAC_PREVIOUS_KEYS when set) and, given a signed
checkpoint and the log's public key, that the file holds exactly the checkpointed tree.
Exit status: 0 intact, 1 a problem was found, 2 usage error.
`;

/** `cave audit verify`: offline verification of the audit log file. */
export async function auditVerifyCommand(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        file: { type: 'string' },
        checkpoint: { type: 'string' },
        'public-key': { type: 'string' },
        'require-hmac': { type: 'boolean', default: false },
        threads: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }).values;
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const config = loadConfig();
  const file = args.file ?? config.audit.logPath;
  if (!existsSync(file)) {
    process.stderr.write(`no such file: ${file}\n`);
    return 2;
  }
  if ((args.checkpoint === undefined) !== (args['public-key'] === undefined)) {
    process.stderr.write(`--checkpoint and --public-key go together\n\n${USAGE}`);
    return 2;
  }
  const threads = args.threads === undefined ? undefined : Number(args.threads);
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 0 || threads > 64)) {
    process.stderr.write('--threads must be an integer between 0 and 64\n');
    return 2;
  }
  const publicKey = args['public-key'];
  const report = await verifyLogFile(file, {
    hmacKey: config.audit.hmacKey,
    hmacPreviousKeys: config.audit.hmacPreviousKeys,
    hmacRequired: args['require-hmac'],
    threads,
    ...(args.checkpoint !== undefined && { checkpoint: readFileSync(args.checkpoint, 'utf8') }),
    ...(publicKey !== undefined && { publicKey: existsSync(publicKey) ? readFileSync(publicKey, 'utf8').trim() : publicKey }),
  });
  if (args.json) {
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  } else if (report.ok) {
    const cp = report.checkpoint ? `, matches checkpoint ${report.checkpoint.origin} @ ${report.checkpoint.treeSize}` : '';
    process.stdout.write(`OK: ${report.entries} entries intact${report.hmacChecked ? ', HMACs verified' : ' (HMACs not checked: no key)'}${cp} (${report.elapsedMs} ms)\n`);
  } else {
    const p = report.problem!;
    process.stdout.write(`FAILED: ${p.reason} at entry ${p.seq}${p.line !== undefined ? ` (line ${p.line})` : ''}: ${p.detail}\n`);
  }
  return report.ok ? 0 : 1;
}
