import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, type Metric, type Registry } from 'prom-client';
import {
  type CounterDefinition,
  type GaugeDefinition,
  type HistogramDefinition,
  METRIC_DEFINITIONS,
  type MetricKey,
} from './metric-definitions';

type Defs = typeof METRIC_DEFINITIONS;
type MetricFor<D> =
  D extends HistogramDefinition<infer L>
    ? Histogram<L>
    : D extends GaugeDefinition<infer L>
      ? Gauge<L>
      : D extends CounterDefinition<infer L>
        ? Counter<L>
        : never;

/**
 * The process's metrics, typed. Each one registers on first use, so a worker's /metrics does not list
 * empty gateway series and vice versa. Every line carries the `app` label.
 */
@Injectable()
export class Metrics {
  constructor(
    readonly registry: Registry,
    readonly app: string,
  ) {
    registry.setDefaultLabels({ app });
  }

  // gateway
  get streamsActive() {
    return this.metric('streamsActive');
  }
  get streamsTotal() {
    return this.metric('streamsTotal');
  }
  get audioReceivedSeconds() {
    return this.metric('audioReceivedSeconds');
  }
  get segmentsTotal() {
    return this.metric('segmentsTotal');
  }
  get pipelineLatency() {
    return this.metric('pipelineLatency');
  }
  get sessionLagSeconds() {
    return this.metric('sessionLagSeconds');
  }
  get grpcErrorsTotal() {
    return this.metric('grpcErrorsTotal');
  }
  get unexpectedErrorsTotal() {
    return this.metric('unexpectedErrorsTotal');
  }
  get replyStreamRecreatedTotal() {
    return this.metric('replyStreamRecreatedTotal');
  }
  get lostJobsResentTotal() {
    return this.metric('lostJobsResentTotal');
  }
  get translateCacheLookups() {
    return this.metric('translateCacheLookups');
  }
  // workers
  get jobsTotal() {
    return this.metric('jobsTotal');
  }
  get jobDuration() {
    return this.metric('jobDuration');
  }
  get batchSize() {
    return this.metric('batchSize');
  }
  get modelInfo() {
    return this.metric('modelInfo');
  }
  get workerUp() {
    return this.metric('workerUp');
  }
  // queues
  get queueDepth() {
    return this.metric('queueDepth');
  }
  get asrJobsRouted() {
    return this.metric('asrJobsRouted');
  }
  get asrTierWorkers() {
    return this.metric('asrTierWorkers');
  }
  get asrTierWaitSeconds() {
    return this.metric('asrTierWaitSeconds');
  }

  get asrHallucinationsDropped() {
    return this.metric('asrHallucinationsDropped');
  }

  /** Any defined metric by key: for metrics added to METRIC_DEFINITIONS without a getter of their own. */
  get<K extends MetricKey>(key: K): MetricFor<Defs[K]> {
    return this.metric(key);
  }

  /** Registers every metric now (tests, or an app that wants all series present from the start). */
  registerAll(): void {
    for (const key of Object.keys(METRIC_DEFINITIONS) as MetricKey[]) this.metric(key);
  }

  private metric<K extends MetricKey>(key: K): MetricFor<Defs[K]> {
    const def = METRIC_DEFINITIONS[key];
    const existing = this.registry.getSingleMetric(def.name);
    if (existing) return existing as unknown as MetricFor<Defs[K]>;
    const config = { name: def.name, help: def.help, labelNames: def.labelNames, registers: [this.registry] };
    let created: Metric;
    if (def.type === 'counter') created = new Counter(config);
    else if (def.type === 'gauge') created = new Gauge(config);
    else created = new Histogram({ ...config, buckets: def.buckets });
    return created as unknown as MetricFor<Defs[K]>;
  }
}
