'use strict';
/**
 * Compiles TypeScript on `require` for the benchmark's server children, as ts-node's transpile-only mode does
 * (per file, no type check, the project's compiler options), without ts-node. ts-node loads Node's REPL, which
 * loads `node:domain`, and once the domain module is loaded every EventEmitter's construction and `emit` go
 * through its slower path (a few percent of a request's CPU in the http benchmark, for CAVE and the bare peers
 * alike). The daemon runs compiled JavaScript in production and never loads it; measured servers should not
 * either. `tsconfig-paths/register` still resolves `@cave/*`.
 */
const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

const root = path.join(__dirname, '..', '..');
const { config, error } = ts.readConfigFile(path.join(root, 'tsconfig.json'), ts.sys.readFile);
if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
const { options } = ts.convertCompilerOptionsFromJson(config.compilerOptions, root);
const compilerOptions = { ...options, sourceMap: false, inlineSourceMap: true, inlineSources: false, declaration: false };

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const { outputText } = ts.transpileModule(source, { compilerOptions, fileName: filename });
  module._compile(outputText, filename);
};
