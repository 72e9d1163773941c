/** Three tiers by file name (STYLE.md): unit = pure, int = real Postgres, e2e = the app over real HTTP. */
const base = {
  rootDir: __dirname,
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  moduleNameMapper: { '^@cave/migrations$': '<rootDir>/migrations', '^@cave/(.*)$': '<rootDir>/libs/$1/src' },
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
};
module.exports = {
  globalSetup: '<rootDir>/libs/testing/src/global-setup.js',
  globalTeardown: '<rootDir>/libs/testing/src/global-teardown.js',
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,bench,tools}/**/*.spec.ts', '<rootDir>/.eslint/*.spec.ts'] },
    // Hooks of the int and e2e tiers boot real PostgreSQL databases and daemons: jest's 5 s default (testTimeout is not a
    // per-project option) is a bound on a hang, and a loaded 2-core CI machine reached it in a daemon's boot. Assertions on time live in the tests.
    { ...base, displayName: 'int', setupFilesAfterEnv: ['<rootDir>/libs/testing/src/hang-bound.int.js'], testMatch: ['<rootDir>/{apps,libs,migrations}/**/*.int-spec.ts'] },
    { ...base, displayName: 'e2e', setupFilesAfterEnv: ['<rootDir>/libs/testing/src/hang-bound.e2e.js'], testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'] },
  ],
};
