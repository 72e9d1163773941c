export type { CaveConfig, LlmConfig, LlmPolicy, LlmProviderConfig, PeersConfig } from './cave-config';
export { ConfigError } from './config.errors';
export { loadConfig } from './load-config';
export { CAVE_CONFIG, ConfigModule } from './config.module';
