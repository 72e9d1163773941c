// @ts-check
import tseslint from 'typescript-eslint';
import boundaries from './.eslint/cave-boundaries.mjs';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'coverage/**', '**/*.js', '.eslint/fixtures/**', 'tools/no-copy/fixtures/**'] },
  ...tseslint.configs.recommended,
  {
    plugins: { cave: boundaries },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'cave/context-boundaries': 'error',
      'cave/pure-domain': 'error',
      'cave/technical-layer': 'error',
      'cave/context-surface': 'error',
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', 'bench/**'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off', 'cave/context-boundaries': 'off' },
  },
);
