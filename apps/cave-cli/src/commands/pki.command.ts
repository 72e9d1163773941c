import { join } from 'node:path';
import { Command, CommandRunner, Option, SubCommand } from 'nest-commander';
import { loadConfig } from '@cave/config';
import { initCaFiles, issueNodeFiles } from '@cave/peers';

const defaultDir = () => join(loadConfig().dataDir, 'pki');

@SubCommand({ name: 'init', description: 'Create the operator CA (ECDSA P-256) in [--dir <CAVE_DATA_DIR>/pki]: ca.cert.pem, ca.key.pem (0600)' })
export class PkiInitCommand extends CommandRunner {
  async run(_args: string[], opts: { dir?: string; force?: boolean; name?: string }): Promise<void> {
    const dir = opts.dir ?? defaultDir();
    const { certPath, keyPath } = await initCaFiles(dir, { force: opts.force, commonName: opts.name });
    process.stdout.write(`operator CA created\n  certificate: ${certPath}\n  private key: ${keyPath} (0600: keep it offline; only pki issue-node needs it)\n`);
  }

  @Option({ flags: '--dir <dir>', description: 'PKI directory (default <CAVE_DATA_DIR>/pki)' })
  parseDir(v: string): string {
    return v;
  }

  @Option({ flags: '--name <cn>', description: 'Common name of the CA (default "CAVE operator CA")' })
  parseName(v: string): string {
    return v;
  }

  @Option({ flags: '--force', description: 'Replace an existing CA (every node certificate it issued stops working)' })
  parseForce(): boolean {
    return true;
  }
}

@SubCommand({
  name: 'issue-node',
  arguments: '<name>',
  description: 'Issue a node certificate (SAN: --address and urn:cave:node:<id>; EKU server+client) into [--out <dir>/nodes/<name>]',
})
export class PkiIssueNodeCommand extends CommandRunner {
  async run([name]: string[], opts: { dir?: string; address?: string; out?: string; days?: number }): Promise<void> {
    if (!opts.address) throw new Error('--address <host or IP> is required (the address peers dial this node at)');
    const days = opts.days ?? 365;
    const notBefore = new Date(Date.now() - 60_000);
    const files = await issueNodeFiles(opts.dir ?? defaultDir(), name, opts.address, {
      outDir: opts.out,
      validity: { notBefore, notAfter: new Date(notBefore.getTime() + days * 86_400_000) },
    });
    process.stdout.write(
      [
        `node certificate issued for ${name} (${opts.address})`,
        `  node id:     ${files.nodeId}`,
        `  serial:      ${files.serial}`,
        `  valid until: ${files.notAfter.toISOString()}`,
        `  CAVE_PEER_CERT_FILE=${files.certPath}`,
        `  CAVE_PEER_KEY_FILE=${files.keyPath}`,
        `  CAVE_PEER_CA_FILE=${files.caPath}`,
        '',
      ].join('\n'),
    );
  }

  @Option({ flags: '--address <address>', description: 'Host name or IP address of the node (required)' })
  parseAddress(v: string): string {
    return v;
  }

  @Option({ flags: '--dir <dir>', description: 'PKI directory holding the CA (default <CAVE_DATA_DIR>/pki)' })
  parseDir(v: string): string {
    return v;
  }

  @Option({ flags: '--out <dir>', description: 'Where to write the node files (default <dir>/nodes/<name>)' })
  parseOut(v: string): string {
    return v;
  }

  @Option({ flags: '--days <n>', description: 'Validity in days (default 365)' })
  parseDays(v: string): number {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > 3650) throw new Error('--days must be an integer from 1 to 3650');
    return n;
  }
}

@Command({ name: 'pki', description: 'Operator PKI for peer mutual TLS', subCommands: [PkiInitCommand, PkiIssueNodeCommand] })
export class PkiCommand extends CommandRunner {
  async run(): Promise<void> {
    this.command.help();
  }
}
