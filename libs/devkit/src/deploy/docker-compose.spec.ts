import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { repoRoot } from '../stack/repo-root';
import { needsProgram } from '../testing/system-programs';
import { run, which } from './tools';

interface ComposeService {
  image?: string;
  ports?: Array<string | { target: number; published: number | string; host_ip?: string }>;
  command?: string[];
  profiles?: string[];
  environment?: Record<string, string>;
  deploy?: { resources?: { reservations?: { devices?: Array<{ driver: string; capabilities: string[] }> } } };
  volumes?: unknown[];
}

/** docker-compose.yml checked by Debian's docker-compose (1.29, `config` needs no Docker engine). */
describe('docker-compose.yml', () => {
  const skip = needsProgram('docker-compose', '`docker-compose config` on docker-compose.yml');
  const bin = which('docker-compose');

  const config = (profile?: string): Record<string, ComposeService> => {
    const args = [...(profile ? ['--profile', profile] : []), 'config'];
    const res = run(bin!, args, repoRoot());
    assert.equal(res.status, 0, `docker-compose ${args.join(' ')} failed:\n${res.out}`);
    return (parseYaml(res.out) as { services: Record<string, ComposeService> }).services;
  };

  it('passes `docker-compose config` and runs the two Redis roles with their policies', { skip }, () => {
    const services = config();
    const queue = services['redis-queue'].command!.join(' ');
    const cache = services['redis-cache'].command!.join(' ');
    assert.match(queue, /--maxmemory-policy noeviction/);
    assert.match(cache, /--maxmemory-policy allkeys-lfu/);
    assert.match(cache, /--maxmemory \d+mb/);
    for (const app of ['gateway', 'asr-worker', 'translate-worker']) {
      assert.equal(services[app].environment?.OLT__REDIS__QUEUE_URL, 'redis://redis-queue:6379', app);
    }
    assert.equal(services['translate-worker'].environment?.OLT__REDIS__CACHE_URL, 'redis://redis-cache:6379');
    assert.ok(services.prometheus && services.grafana, 'Prometheus and Grafana');
    // `config` lists profiled services too; they start only with --profile nvidia.
    assert.deepEqual(services['asr-worker-nvidia'].profiles, ['nvidia']);
    assert.deepEqual(services['translate-worker-nvidia'].profiles, ['nvidia']);
    assert.equal(services['asr-worker'].profiles, undefined, 'CPU workers start by default');
  });

  it('runs the cache service beside redis-cache with its admin port on this machine only', { skip }, () => {
    const cache = config().cache;
    assert.ok(cache, 'a `cache` service (apps/cache)');
    assert.match(cache.image ?? '', /^olt\/cache:/);
    assert.equal(cache.environment?.OLT__REDIS__CACHE_URL, 'redis://redis-cache:6379');
    assert.equal(cache.environment?.OLT__REDIS__QUEUE_URL, 'redis://redis-queue:6379', 'warming jobs and snapshots');
    assert.equal(cache.environment?.OLT__CACHE_SERVICE__ADMIN_PORT, '9470');
    assert.ok('OLT__CACHE_SERVICE__ADMIN_TOKEN_SHA256' in (cache.environment ?? {}), 'admin token hash from the env');
    const ports = (cache.ports ?? []).map((p) => (typeof p === 'string' ? p : `${p.host_ip ?? ''}:${p.published}:${p.target}`).replace(/\/tcp$/, ''));
    assert.deepEqual(ports, ['127.0.0.1:9470:9470']);
    const prometheus = readFileSync(join(repoRoot(), 'deploy', 'prometheus', 'prometheus.yml'), 'utf8');
    const jobs = (parseYaml(prometheus) as { scrape_configs: Array<{ job_name: string; dns_sd_configs?: Array<{ names: string[]; port: number }> }> }).scrape_configs;
    const job = jobs.find((j) => j.dns_sd_configs?.some((d) => d.names.includes('cache')));
    assert.equal(job?.dns_sd_configs?.[0].port, 9470, 'Prometheus scrapes the cache service');
  });

  it('adds NVIDIA workers with a GPU device reservation under --profile nvidia', { skip }, () => {
    const services = config('nvidia');
    for (const name of ['asr-worker-nvidia', 'translate-worker-nvidia']) {
      const devices = services[name].deploy?.resources?.reservations?.devices ?? [];
      assert.deepEqual(
        devices.map((d) => [d.driver, d.capabilities]),
        [['nvidia', ['gpu']]],
        name,
      );
      assert.match(services[name].image ?? '', /-cuda$/);
    }
    assert.match(services['asr-worker-nvidia'].environment?.OLT__ASR__EXECUTION_PROVIDERS ?? '', /^cuda/);
  });
});
