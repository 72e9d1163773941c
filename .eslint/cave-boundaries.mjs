// Architecture rules from STYLE.md, enforced by lint:
//  - context-boundaries: code outside a lib imports it only as `@cave/<lib>` (its index.ts), never a deep path.
//  - pure-domain: files under a `domain/` folder import nothing from @nestjs/*, typeorm or pg.
import path from 'node:path';

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
