export * from './test-database';
export * from './wait-for';
export * from './test-app';
export * from './pg-admin';
export * from './pausable-proxy';
