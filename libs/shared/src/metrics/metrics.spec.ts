import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Registry } from 'prom-client';
import { METRIC_DEFINITIONS } from './metric-definitions';
import { Metrics } from './metrics';
import { createMetricsRegistry, MetricsRegistry, metricsText } from './metrics-registry';
import { MetricsModule } from './metrics.module';

/**
 * One sample line of the Prometheus text format: name{labels} value. Values are Go floats, so NaN and Inf
 * may come in any case (prom-client writes "Nan" before the first event-loop sample).
 */
const SAMPLE =
  /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? (-?[0-9.e+-]+|nan|[+-]inf)$/i;

function parseExposition(text: string): {
  types: Map<string, string>;
  samples: { name: string; line: string }[];
} {
  const types = new Map<string, string>();
  const samples: { name: string; line: string }[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/.exec(line);
    if (meta) {
      if (meta[1] === 'TYPE') types.set(meta[2], meta[3]);
      continue;
    }
    const sample = SAMPLE.exec(line);
    assert.ok(sample, `not a valid exposition line: ${line}`);
    samples.push({ name: sample[1], line });
  }
  return { types, samples };
}

describe('Metrics', () => {
  test('every metric registers under a unique olt_ name that follows the naming conventions', () => {
    const registry = new Registry();
    new Metrics(registry, 'test').registerAll();
    const defs = Object.values(METRIC_DEFINITIONS);
    const names = defs.map((d) => d.name);
    assert.equal(new Set(names).size, names.length, 'names are unique');
    assert.deepEqual(
      registry
        .getMetricsAsArray()
        .map((m) => m.name)
        .sort(),
      [...names].sort(),
    );
    for (const def of defs) {
      assert.match(def.name, /^olt_[a-z0-9_]+$/, def.name);
      assert.ok(def.help.length > 10, `${def.name} has a help text`);
      if (def.type === 'counter') assert.match(def.name, /_total$/, `${def.name}: counters end in _total`);
      else assert.doesNotMatch(def.name, /_total$/, `${def.name}: only counters end in _total`);
      if (def.type === 'histogram' && def.name !== 'olt_worker_batch_size')
        assert.match(def.name, /_seconds$/, `${def.name}: durations are in seconds`);
      for (const label of def.labelNames)
        assert.match(label, /^[a-z][a-z0-9_]*$/, `${def.name} label ${label}`);
    }
  });

  test('text output parses, carries the app label and the default process/nodejs metrics', async () => {
    const registry = createMetricsRegistry();
    const metrics = new Metrics(registry, 'gateway');
    metrics.streamsActive.inc({ tenant: 'acme' });
    metrics.pipelineLatency.observe({ stage: 'final_transcript' }, 0.42);
    metrics.modelInfo.set(
      {
        kind: 'asr',
        model: 'whisper-tiny-test',
        precision: 'fp32',
        execution_provider: 'cpu',
        tier: 'cpu',
        device: '0',
      },
      1,
    );
    metrics.translateCacheLookups.inc({ result: 'hit' });
    const text = await metricsText(registry);
    const { types, samples } = parseExposition(text);
    assert.equal(types.get('olt_gateway_streams_active'), 'gauge');
    assert.equal(types.get('olt_gateway_pipeline_latency_seconds'), 'histogram');
    assert.equal(types.get('olt_gateway_translate_cache_lookups_total'), 'counter');
    assert.ok(types.has('process_cpu_user_seconds_total'), 'default process metrics');
    assert.ok(types.has('nodejs_eventloop_lag_seconds'), 'default nodejs metrics');
    assert.ok(
      samples.every((s) => s.line.includes('app="gateway"')),
      'every sample carries app',
    );
    assert.ok(text.includes('olt_gateway_streams_active{tenant="acme",app="gateway"} 1'));
    assert.ok(
      text.includes(
        'olt_gateway_pipeline_latency_seconds_bucket{le="0.5",app="gateway",stage="final_transcript"} 1',
      ),
    );
  });

  test('metrics register on first use, so a worker does not export empty gateway series', async () => {
    const registry = new Registry();
    const metrics = new Metrics(registry, 'asr-worker');
    metrics.workerUp.set(1);
    assert.deepEqual(
      registry.getMetricsAsArray().map((m) => m.name),
      ['olt_worker_up'],
    );
    assert.equal(metrics.workerUp, metrics.workerUp, 'the same metric object every time');
    const second = new Metrics(registry, 'asr-worker');
    assert.equal(second.workerUp, metrics.workerUp, 'a second Metrics on one registry shares the metric');
  });
});

describe('MetricsModule', () => {
  test('provides Metrics and one registry, injectable as MetricsRegistry or Registry', async () => {
    @Module({ imports: [MetricsModule.forRoot({ app: 'translate-worker' })] })
    class AppModule {}
    const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
    try {
      const metrics = app.get(Metrics);
      const registry = app.get(MetricsRegistry);
      assert.equal(app.get(Registry), registry);
      assert.equal(metrics.registry, registry);
      metrics.jobsTotal.inc({ queue: 'mt', outcome: 'ok' });
      assert.match(
        await metricsText(registry),
        /olt_worker_jobs_total\{queue="mt",outcome="ok",app="translate-worker"\} 1/,
      );
    } finally {
      await app.close();
    }
  });
});
