import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { repoRoot } from '../stack/repo-root';
import { needsProgram } from '../testing/system-programs';
import { run, which } from './tools';

interface ComposeService {
  image?: string;
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
