import type { CommandMeta } from '@cave/kernel';

/** Set a wasi sandbox's WASI preview1 module (raw `.wasm` bytes). */
export class UploadModuleCommand {
  constructor(
    readonly sandboxId: string,
    /** Undefined when the body was not `application/wasm` (refused after the sandbox is found, so B learns nothing of A's ids). */
    readonly bytes: Uint8Array | undefined,
    readonly meta: CommandMeta,
  ) {}
}
