// Architecture rules from STYLE.md, enforced by lint:
//  - context-boundaries: code outside a lib imports it only as `@cave/<lib>` (its index.ts), never a deep path.
//  - pure-domain: files under a `domain/` folder import nothing from @nestjs/*, typeorm or pg.
//  - technical-layer: technical libs (no domain nouns) import no bounded-context lib: dependencies point down.
//    Every lib not listed in TECHNICAL_LIBS is a bounded context; a context reaches a technical lib through
//    ports the technical lib defines (e.g. REALTIME_AUTHENTICATOR, implemented by keys).
//  - context-surface: a lib's index.ts names its exports (no `export *`), and a context's index exposes only its
//    module and its `contracts/` folder, so what other code may depend on is one folder to read.
import path from 'node:path';

export const TECHNICAL_LIBS = new Set(['config', 'event-store', 'http', 'idempotency', 'kernel', 'observability', 'projections', 'realtime', 'testing']);

const FRAMEWORK = /^(@nestjs\/|typeorm$|typeorm\/|pg$|fastify|socket\.io)/;

function libOf(file) {
  const m = /[\\/]libs[\\/]([^\\/]+)[\\/]/.exec(file);
  return m ? m[1] : undefined;
}

/** @type {import('eslint').ESLint.Plugin} */
export default {
  rules: {
    'context-boundaries': {
      meta: { type: 'problem', messages: { deep: 'Import "{{src}}" reaches into another library; import "@cave/{{lib}}" instead.' } },
      create(context) {
        const file = context.filename;
        const own = libOf(file);
        return {
          ImportDeclaration(node) {
            const src = String(node.source.value);
            const alias = /^@cave\/([^/]+)\/.+/.exec(src);
            if (alias) {
              context.report({ node, messageId: 'deep', data: { src, lib: alias[1] } });
              return;
            }
            if (src.startsWith('.')) {
              const target = libOf(path.resolve(path.dirname(file), src) + '/');
              if (target && target !== own) context.report({ node, messageId: 'deep', data: { src, lib: target } });
            }
          },
        };
      },
    },
    'technical-layer': {
      meta: { type: 'problem', messages: { upward: 'Technical lib "{{own}}" must not import bounded context "{{lib}}"; define a port here and let the context implement it.' } },
      create(context) {
        const own = libOf(context.filename);
        if (!own || !TECHNICAL_LIBS.has(own)) return {};
        const check = (node, src) => {
          const alias = /^@cave\/([^/]+)/.exec(src);
          const target = alias ? alias[1] : src.startsWith('.') ? libOf(path.resolve(path.dirname(context.filename), src) + '/') : undefined;
          // `@cave/migrations` is the top-level schema list, not a lib.
          if (target && target !== 'migrations' && !TECHNICAL_LIBS.has(target)) context.report({ node, messageId: 'upward', data: { own, lib: target } });
        };
        return {
          ImportDeclaration: (node) => check(node, String(node.source.value)),
          ExportNamedDeclaration: (node) => node.source && check(node, String(node.source.value)),
          ExportAllDeclaration: (node) => check(node, String(node.source.value)),
        };
      },
    },
    'context-surface': {
      meta: {
        type: 'problem',
        messages: {
          star: 'index.ts names its exports: replace `export * from "{{src}}"` with the names.',
          internal: 'A context exposes only its module and contracts/: move what "{{src}}" offers into contracts/ (or keep it internal).',
        },
      },
      create(context) {
        const m = /[\\/]libs[\\/]([^\\/]+)[\\/]src[\\/]index\.ts$/.exec(context.filename);
        if (!m) return {};
        const isContext = !TECHNICAL_LIBS.has(m[1]);
        const check = (node, src) => {
          if (isContext && !/^\.\/[^/]+\.module$/.test(src) && !src.startsWith('./contracts/')) context.report({ node, messageId: 'internal', data: { src } });
        };
        return {
          ImportDeclaration: (node) => check(node, String(node.source.value)),
          ExportNamedDeclaration: (node) => node.source && check(node, String(node.source.value)),
          ExportAllDeclaration(node) {
            const src = String(node.source.value);
            context.report({ node, messageId: 'star', data: { src } });
            check(node, src);
          },
        };
      },
    },
    'pure-domain': {
      meta: { type: 'problem', messages: { impure: 'domain/ must stay pure TypeScript: "{{src}}" is a framework import.' } },
      create(context) {
        if (!/[\\/]domain[\\/]/.test(context.filename)) return {};
        return {
          ImportDeclaration(node) {
            const src = String(node.source.value);
            if (FRAMEWORK.test(src)) context.report({ node, messageId: 'impure', data: { src } });
          },
        };
      },
    },
  },
};
