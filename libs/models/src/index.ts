export * from './contracts/model-package';
export * from './contracts/active-models.port';
export * from './contracts/model-artifacts.port';
