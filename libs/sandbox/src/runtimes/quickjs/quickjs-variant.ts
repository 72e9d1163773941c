import { readFileSync } from 'node:fs';
import { newQuickJSWASMModuleFromVariant, newVariant, QuickJSWASMModule } from 'quickjs-emscripten-core';
import releaseSync from '@jitl/quickjs-wasmfile-release-sync';

const VARIANT_PACKAGE = '@jitl/quickjs-wasmfile-release-sync';

/**
 * The WASM build a snapshot was taken with. A memory image is only meaningful to the exact same
 * build (addresses, allocator layout), so snapshots record it and other builds refuse them.
 */
export const QUICKJS_VARIANT: { name: string; version: string } = {
  name: VARIANT_PACKAGE,
  version: (JSON.parse(readFileSync(require.resolve(`${VARIANT_PACKAGE}/package.json`), 'utf8')) as { version: string }).version,
};

/** 64 KiB pages of the build's initial memory: a cap below this cannot even instantiate (FACTS). */
export const QUICKJS_INITIAL_PAGES = 256;
export const WASM_PAGE = 65_536;

let compiled: WebAssembly.Module | undefined;

/** Compiled once per thread (~8 ms); every sandbox instantiates it with its own memory. */
function wasmModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(readFileSync(require.resolve(`${VARIANT_PACKAGE}/wasm`)));
  return compiled;
}

/**
 * A fresh, private QuickJS module instance over `memory`. The emscripten glue is required as
 * CommonJS: the variant's own loader uses `import()`, which CommonJS jest cannot run.
 */
export function instantiateQuickJs(memory: WebAssembly.Memory): Promise<QuickJSWASMModule> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const glue = require(`${VARIANT_PACKAGE}/emscripten-module`) as unknown;
  const variant = newVariant(
    { ...releaseSync, importModuleLoader: async () => glue as never },
    { wasmModule: wasmModule(), wasmMemory: memory },
  );
  return newQuickJSWASMModuleFromVariant(variant);
}
