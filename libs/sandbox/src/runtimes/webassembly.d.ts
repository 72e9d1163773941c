/**
 * The slice of the WebAssembly JS API the sandbox runtimes use. `lib: ES2023` has no WebAssembly
 * types (they live in the DOM lib, which the daemon does not load).
 */
declare namespace WebAssembly {
  interface MemoryDescriptor {
    initial: number;
    maximum?: number;
  }
  class Memory {
    constructor(descriptor: MemoryDescriptor);
    readonly buffer: ArrayBuffer;
    grow(delta: number): number;
  }
  class Module {
    constructor(bytes: ArrayBufferLike | ArrayBufferView<ArrayBufferLike>);
  }
  type ExportValue = Memory | ((...args: number[]) => unknown) | unknown;
  type Imports = Record<string, Record<string, unknown>>;
  class Instance {
    constructor(module: Module, imports?: Imports);
    readonly exports: Record<string, ExportValue>;
  }
  function validate(bytes: ArrayBufferLike | ArrayBufferView<ArrayBufferLike>): boolean;
}
