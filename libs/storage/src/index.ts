export * from './storage.module';
export * from './contracts/blob-store.port';
export * from './contracts/storage.events';
