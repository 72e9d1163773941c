export * from './health-registry';
export * from './metrics.service';
export * from './observability.module';
export * from './background-sample';
