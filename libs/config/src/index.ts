export * from './cave-config';
export * from './config.error';
export * from './load-config';
export * from './config.module';
