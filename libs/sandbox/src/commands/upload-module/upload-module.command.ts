import type { RuntimeEventMeta } from '../../runtime-host/runtime-events.appender';

/** Set a wasi sandbox's WASI preview1 module (raw `.wasm` bytes). */
export class UploadModuleCommand {
  constructor(
    readonly sandboxId: string,
    readonly bytes: Uint8Array,
    readonly meta: RuntimeEventMeta,
  ) {}
}
