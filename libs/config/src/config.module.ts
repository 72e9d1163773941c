import { DynamicModule, Global, Module } from '@nestjs/common';
import { CaveConfig } from './cave-config';

/** Injection token for the validated configuration. */
export const CAVE_CONFIG = Symbol('CAVE_CONFIG');

/** Provides the configuration that `main` validated before Nest started. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: CaveConfig): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: CAVE_CONFIG, useValue: config }], exports: [CAVE_CONFIG] };
  }
}
