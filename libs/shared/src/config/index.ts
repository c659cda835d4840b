export { ConfigError } from './config-error';
export {
  type ConfigChangeListener,
  type ConfigLogPort,
  ConfigService,
  type ConfigServiceOptions,
} from './config.service';
export { ConfigModule, type ConfigModuleOptions } from './config.module';
export type { DeepPartial } from './key-case';
export {
  configWarnings,
  findConfigRoot,
  loadConfig,
  type LoadConfigOptions,
  requireRedisEndpoint,
  requireRedisUrl,
  resolveModelDir,
  resolveConfigFile,
} from './load-config';
export type { EnvVars } from './env-overrides';
export * from './schema';
