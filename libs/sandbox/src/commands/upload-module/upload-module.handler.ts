import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Database } from '@cave/event-store';
import { SandboxNotFoundError } from '../../domain/sandbox.errors';
import { ModuleInvalidError, PolicyViolationError, WrongRuntimeError } from '../../domain/runtime/sandbox-runtime.errors';
import { sha256Hex } from '../../runtimes/snapshot-codec';
import { RuntimeEventsAppender } from '../../runtime-host/runtime-events.appender';
import { SandboxBlobs } from '../../runtime-host/sandbox-blobs';
import { SandboxRuntimeRepository } from '../../runtime-host/sandbox-runtime.repository';
import { UploadModuleCommand } from './upload-module.command';

/**
 * Validates the module (`WebAssembly.validate`, size under the namespace's `maxModuleBytes`), stores it
 * once per namespace under its SHA-256 in object storage (`SandboxBlobs`: every daemon on the backend can run it)
 * and points the sandbox at it. Uploading the same bytes again is harmless.
 */
@CommandHandler(UploadModuleCommand)
export class UploadModuleHandler implements ICommandHandler<UploadModuleCommand, { sha256: string; sizeBytes: number }> {
  constructor(
    private readonly db: Database,
    private readonly repo: SandboxRuntimeRepository,
    private readonly events: RuntimeEventsAppender,
    private readonly blobs: SandboxBlobs,
  ) {}

  async execute({ sandboxId, bytes, meta }: UploadModuleCommand): Promise<{ sha256: string; sizeBytes: number }> {
    return this.db.tenant(meta.namespace, async (c) => {
      const sandbox = await this.repo.sandbox(c, sandboxId, 'share');
      if (sandbox.state === 'deleted') throw new SandboxNotFoundError(sandboxId);
      if (sandbox.runtime !== 'wasi') throw new WrongRuntimeError(sandboxId, sandbox.runtime, 'wasi');
      if (!bytes) throw new ModuleInvalidError('send the module as the raw body with content-type application/wasm');
      const policy = await this.repo.policy(c);
      if (bytes.byteLength > policy.maxModuleBytes) {
        throw new PolicyViolationError('unprocessable', 'maxModuleBytes', `the module has ${bytes.byteLength} bytes; this namespace allows ${policy.maxModuleBytes}`, { limit: policy.maxModuleBytes });
      }
      if (bytes.byteLength === 0 || !WebAssembly.validate(new Uint8Array(bytes))) throw new ModuleInvalidError('the body is not a valid WebAssembly module');
      const sha256 = sha256Hex(bytes);
      await this.blobs.put(meta.namespace, 'module', sha256, bytes, meta.actor);
      await this.repo.setModule(c, meta.namespace, sandboxId, sha256, bytes.byteLength);
      await this.events.append(c, sandboxId, { type: 'sandbox_module_uploaded', data: { sandboxId, sha256, sizeBytes: bytes.byteLength } }, meta);
      return { sha256, sizeBytes: bytes.byteLength };
    });
  }
}
