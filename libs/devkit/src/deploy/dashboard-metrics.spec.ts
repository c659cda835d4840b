import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import type { LiveTranslateClient } from '@olt/shared';
import { readWav, speechFixture, toPcm } from '../audio';
import { createLiveTranslateClient, streamAudio } from '../client';
import { startLocalStack, type LocalStack } from '../stack';
import { repoRoot } from '../stack/repo-root';
import { helmTemplate, CHART_DIR } from './helm';
import { dashboardExpressions, metricNamesInPromql, sampleNamesInExposition } from './promql-metrics';

/**
 * Metrics that dashboards and alerts already read but no app exports yet. Each entry says why; the test
 * fails when one starts being exported (remove it here) or is no longer used (remove it here too).
 */
const NOT_YET_EXPORTED: Record<string, string> = {
  olt_worker_model_stepdowns_total:
    'defined in libs/shared metric-definitions; a labelled counter appears on the first step-down under GPU memory pressure, which a CPU stack never has',
  olt_gateway_lost_jobs_resent_total:
    'appears when a gateway first finds a job lost from the queue Redis (lost-job.e2e.spec.ts checks it), which a healthy run never has',
  olt_gateway_reply_stream_recreated_total:
    'appears when a gateway first finds its reply stream gone (reply-path.e2e.spec.ts checks it), which a healthy run never has',
};
/** Metrics from exporters outside this product. */
const EXTERNAL: Record<string, string> = {
  DCGM_FI_DEV_FB_USED: "NVIDIA dcgm-exporter (GPU Operator): GPU memory used, MiB",
};

const ROOT = repoRoot();
const API_KEY = 'metrics-key';

function queriesToCheck(): Array<{ where: string; expr: string }> {
  const out: Array<{ where: string; expr: string }> = [];
  const dashDir = join(ROOT, 'deploy', 'grafana', 'dashboards');
  for (const f of readdirSync(dashDir).filter((n) => n.endsWith('.json'))) {
    out.push(...dashboardExpressions(JSON.parse(readFileSync(join(dashDir, f), 'utf8'))));
  }
  const rules = parseYaml(readFileSync(join(ROOT, 'deploy', 'prometheus', 'alerts.yml'), 'utf8')) as {
    groups: Array<{ rules: Array<{ alert: string; expr: string }> }>;
  };
  for (const g of rules.groups) for (const r of g.rules) out.push({ where: `alert ${r.alert}`, expr: r.expr });
  // The autoscaler queries the chart renders (KEDA triggers and the gateway's pods metric).
  const objects = helmTemplate({
    valuesFiles: [join(CHART_DIR, 'ci', 'all-vendors-values.yaml')],
    apiVersions: ['keda.sh/v1alpha1/ScaledObject'],
  });
  for (const o of objects) {
    if (o.kind === 'ScaledObject') {
      for (const t of (o.spec as { triggers: Array<{ name: string; metadata: { query: string } }> }).triggers) {
        out.push({ where: `${o.metadata.name} trigger ${t.name}`, expr: t.metadata.query });
      }
    }
    if (o.kind === 'HorizontalPodAutoscaler') {
      for (const m of (o.spec as { metrics: Array<{ pods?: { metric: { name: string } } }> }).metrics) {
        if (m.pods) out.push({ where: `${o.metadata.name} HPA`, expr: m.pods.metric.name });
      }
    }
  }
  return out;
}

async function scrape(url: string): Promise<string> {
  const res = await fetch(url);
  assert.equal(res.status, 200, `GET ${url}`);
  return res.text();
}

describe('every dashboard panel, alert and autoscaler query reads metrics a running stack exports', () => {
  let stack: LocalStack;
  let client: LiveTranslateClient;
  const exported = new Set<string>();

  before(async () => {
    // Fast heartbeats: workers export olt_queue_depth once per max(1 s, heartbeat).
    // With apps/cache: the cache panels (hit rate, warming gain) read its olt_cache_* series.
    stack = await startLocalStack({
      apiKeys: { metrics: API_KEY },
      settings: { workers: { heartbeat_ms: 200 } },
      cacheService: true,
    });
    client = createLiveTranslateClient(stack.grpcAddress);
    const wav = readWav(speechFixture('hello.wav').path);
    const outcome = await streamAudio(client, {
      apiKey: API_KEY,
      config: {
        audio: { encoding: 'LINEAR16', sampleRateHz: wav.sampleRate, channels: 1 },
        sourceLanguage: 'en',
        targetLanguages: ['es'],
      },
      pcm: toPcm(wav.samples, 'LINEAR16'),
    });
    assert.equal(outcome.error, undefined, `stream failed: ${outcome.error?.message}`);
    assert.ok(outcome.responses.some((r) => r.translation), 'the stream produced a translation');
    // A stream refused for a wrong key, so the rejection counters have a sample too.
    const refused = await streamAudio(client, {
      apiKey: 'not-the-key',
      config: { audio: { encoding: 'LINEAR16', sampleRateHz: 16000, channels: 1 }, targetLanguages: ['es'] },
      pcm: Buffer.alloc(3200),
    });
    assert.equal(refused.error?.code, 16, 'UNAUTHENTICATED');

    // Worker metrics ports are random (workers.http_port = 0): each worker logs its port when it starts.
    const ports = stack.workers.map((w) => {
      const log = readFileSync(join(stack.logDir, `${w.opts.label}.log`), 'utf8');
      const m = /"httpPort":(\d+)/.exec(log);
      assert.ok(m, `${w.opts.label} did not log its httpPort`);
      return Number(m[1]);
    });
    for (const name of sampleNamesInExposition(await scrape(`${stack.adminUrl}/metrics`))) exported.add(name);
    for (const name of sampleNamesInExposition(await scrape(`${stack.cache!.adminUrl}/metrics`))) exported.add(name);
    const deadline = Date.now() + 15_000;
    for (const port of ports) {
      let names = new Set<string>();
      while (Date.now() < deadline) {
        names = sampleNamesInExposition(await scrape(`http://127.0.0.1:${port}/metrics`));
        if (names.has('olt_queue_depth') && names.has('olt_worker_batch_size_bucket')) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      for (const name of names) exported.add(name);
    }
  });

  after(async () => {
    client?.close();
    await stack?.stop();
  });

  it('the stack exports the core series (sanity check of the scrape itself)', () => {
    for (const name of [
      'olt_gateway_streams_active',
      'olt_gateway_pipeline_latency_seconds_bucket',
      'olt_queue_depth',
      'olt_worker_job_duration_seconds_bucket',
      'olt_worker_model_info',
      'olt_cache_lookups_total',
      'olt_cache_warmed_hits_total',
    ]) {
      assert.ok(exported.has(name), `${name} not exported; got ${[...exported].filter((n) => n.startsWith('olt_')).join(', ')}`);
    }
  });

  it('every metric name in the queries is exported, allow-listed as not yet exported, or external', () => {
    const missing: string[] = [];
    for (const q of queriesToCheck()) {
      for (const name of metricNamesInPromql(q.expr)) {
        if (!exported.has(name) && !(name in NOT_YET_EXPORTED) && !(name in EXTERNAL)) {
          missing.push(`${q.where}: ${name}`);
        }
      }
    }
    assert.deepEqual(missing, []);
  });

  it('the allow-list stays honest: nothing on it is exported, everything on it is used', () => {
    const used = new Set(queriesToCheck().flatMap((q) => metricNamesInPromql(q.expr)));
    for (const name of Object.keys(NOT_YET_EXPORTED)) {
      assert.equal(exported.has(name), false, `${name} is exported now: remove it from NOT_YET_EXPORTED`);
      assert.ok(used.has(name), `${name} is not used by any query: remove it from NOT_YET_EXPORTED`);
    }
  });
});
