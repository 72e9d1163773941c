export * from './history.module';
