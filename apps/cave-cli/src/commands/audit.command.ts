import { Command, CommandRunner, SubCommand } from 'nest-commander';
import { auditVerifyCommand } from '../audit-verify.command';

/**
 * `audit verify` keeps its own flag parsing (`audit-verify.command.ts`, owned by the audit context's
 * CLI work): commander passes everything after `verify` through untouched.
 */
@SubCommand({
  name: 'verify',
  description:
    'Verify an audit JSONL file offline: [--file logs/audit.jsonl] [--checkpoint cp.txt --public-key <key or file>] [--require-hmac] [--threads N] [--json]. Exit 0 intact, 1 problem found, 2 usage error',
  allowUnknownOptions: true,
  allowExcessArgs: true,
})
export class AuditVerifyCommand extends CommandRunner {
  async run(): Promise<void> {
    const argv = process.argv;
    const at = argv.indexOf('verify', argv.indexOf('audit'));
    process.exitCode = await auditVerifyCommand(argv.slice(at + 1));
  }
}

@Command({ name: 'audit', description: 'Audit log tools', subCommands: [AuditVerifyCommand] })
export class AuditCommand extends CommandRunner {
  async run(): Promise<void> {
    this.command.help();
  }
}
