import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Command, CommandRunner, Option, SubCommand } from 'nest-commander';
import { DEFAULT_CHUNK_SIZE, isValidChunkSize, packBkg, parsePrivateKey, publicKeyPem, publisherIdOf, rawPublicKey } from '@cave/models';

interface PackOptions {
  key?: string;
  name?: string;
  version?: string;
  license?: string;
  chunkSize?: number;
  out?: string;
}

/** `<dir>/llama-3.Q4.gguf` -> `llama-3.q4`: a manifest name (ADR 0016) derived from the file name. */
export function defaultModelName(file: string): string {
  const stem = basename(file).replace(/\.gguf$/i, '').toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '');
  return stem.slice(0, 64) || 'model';
}

@SubCommand({
  name: 'pack',
  arguments: '<file>',
  description: 'Pack and sign a GGUF file as a .bkg package: <file.gguf> --key <private key PEM> [--name --version --license --chunk-size] [--out file.bkg]',
})
export class ModelsPackCommand extends CommandRunner {
  async run([file]: string[], opts: PackOptions): Promise<void> {
    if (!opts.key) throw new Error('--key <private key file> is required (make one with `models keygen`)');
    if (!existsSync(file)) throw new Error(`no such file: ${file}`);
    const privateKey = parsePrivateKey(readFileSync(opts.key, 'utf8'));
    const out = opts.out ?? `${file.replace(/\.gguf$/i, '')}.bkg`;
    const started = Date.now();
    const signed = await packBkg(file, out, {
      name: opts.name ?? defaultModelName(file),
      version: opts.version ?? '1',
      license: opts.license ?? 'unspecified',
      chunkSize: opts.chunkSize ?? DEFAULT_CHUNK_SIZE,
      privateKey,
    });
    const m = signed.manifest;
    process.stdout.write(
      `${out}: ${m.name} ${m.version}, ${m.sizeBytes} bytes in ${m.chunks.length} chunks of ${m.chunkSize}, sha256 ${m.sha256}, publisher ${m.publisher} (${Date.now() - started} ms)\n`,
    );
  }

  @Option({ flags: '--key <file>', description: 'Ed25519 private key (PKCS#8 PEM) of the publisher' })
  parseKey(v: string): string {
    return v;
  }

  @Option({ flags: '--name <name>', description: 'Model name, [a-z0-9][a-z0-9._-]{0,63} (default: from the file name)' })
  parseName(v: string): string {
    return v;
  }

  @Option({ flags: '--version <version>', description: 'Version label (default 1)' })
  parseVersion(v: string): string {
    return v;
  }

  @Option({ flags: '--license <license>', description: 'License identifier, e.g. MIT or Apache-2.0 (default unspecified)' })
  parseLicense(v: string): string {
    return v;
  }

  @Option({ flags: '--chunk-size <bytes>', description: `Chunk size, a power of two from 65536 to 67108864 (default ${DEFAULT_CHUNK_SIZE})` })
  parseChunkSize(v: string): number {
    const n = Number(v);
    if (!isValidChunkSize(n)) throw new Error('--chunk-size must be a power of two from 65536 to 67108864');
    return n;
  }

  @Option({ flags: '--out <file>', description: 'Where to write the package (default: the input name with .bkg)' })
  parseOut(v: string): string {
    return v;
  }
}

@SubCommand({
  name: 'keygen',
  description: 'Make an Ed25519 publisher key pair: --out <prefix> writes <prefix>.key (private, mode 0600) and <prefix>.pub (PEM)',
})
export class ModelsKeygenCommand extends CommandRunner {
  async run(_args: string[], opts: { out?: string }): Promise<void> {
    if (!opts.out) throw new Error('--out <prefix> is required');
    const { privateKey } = generateKeyPairSync('ed25519');
    const keyFile = `${opts.out}.key`;
    const pubFile = `${opts.out}.pub`;
    if (existsSync(keyFile)) throw new Error(`${keyFile} exists; refusing to overwrite a key`);
    writeFileSync(keyFile, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
    writeFileSync(pubFile, publicKeyPem(privateKey), { mode: 0o644 });
    process.stdout.write(
      `private key: ${keyFile}\npublic key:  ${pubFile}\npublisher:   ${publisherIdOf(privateKey)}\nraw public key (base64, for POST /api/v1/admin/llm/publishers): ${rawPublicKey(privateKey).toString('base64')}\n`,
    );
  }

  @Option({ flags: '--out <prefix>', description: 'Path prefix of the two key files' })
  parseOut(v: string): string {
    return v;
  }
}

@Command({ name: 'models', description: 'Model packages (.bkg): keygen, pack', subCommands: [ModelsPackCommand, ModelsKeygenCommand] })
export class ModelsCommand extends CommandRunner {
  async run(): Promise<void> {
    this.command.help();
  }
}
