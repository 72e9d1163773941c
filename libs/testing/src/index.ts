export { createTestDatabase } from './test-database';
export type { TestDatabase } from './test-database';
export { waitFor } from './wait-for';
export { startTestApp } from './test-app';
export type { TestApp } from './test-app';
export { dropDatabase, withClient, withDatabase } from './pg-admin';
export { PausableProxy } from './pausable-proxy';
