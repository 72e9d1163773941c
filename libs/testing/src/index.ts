export * from './test-database';
export * from './wait-for';
export * from './test-app';
export * from './pg-admin';
export * from './wasm-module';
export * from './pausable-proxy';
