import { type DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigService, type ConfigServiceOptions } from './config.service';

export interface ConfigModuleOptions extends ConfigServiceOptions {
  /** Follow edits of the config file (reloadable keys only). Default true. */
  watch?: boolean;
}

/**
 * Global module providing ConfigService. The config is loaded and validated while the module is built, so
 * a bad config stops the process before anything listens.
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(options: ConfigModuleOptions = {}): DynamicModule {
    const { watch = true, ...serviceOptions } = options;
    return {
      module: ConfigModule,
      providers: [
        {
          provide: ConfigService,
          useFactory: () => {
            const service = new ConfigService(serviceOptions);
            if (watch) service.watch();
            return service;
          },
        },
      ],
      exports: [ConfigService],
    };
  }
}
