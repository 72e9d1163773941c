export * from './health-registry';
export * from './metrics.service';
export * from './observability.module';
