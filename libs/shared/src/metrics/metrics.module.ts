import { type DynamicModule, Global, Module } from '@nestjs/common';
import { Registry } from 'prom-client';
import { Metrics } from './metrics';
import { createMetricsRegistry, MetricsRegistry } from './metrics-registry';

export interface MetricsModuleOptions {
  /** Value of the `app` label on every series, e.g. "gateway". */
  app: string;
}

/** Global module providing Metrics and the process's Registry (injectable as MetricsRegistry or Registry). */
@Global()
@Module({})
export class MetricsModule {
  static forRoot(options: MetricsModuleOptions): DynamicModule {
    return {
      module: MetricsModule,
      providers: [
        { provide: MetricsRegistry, useFactory: createMetricsRegistry },
        { provide: Registry, useExisting: MetricsRegistry },
        {
          provide: Metrics,
          inject: [MetricsRegistry],
          useFactory: (r: Registry) => new Metrics(r, options.app),
        },
      ],
      exports: [MetricsRegistry, Registry, Metrics],
    };
  }
}
