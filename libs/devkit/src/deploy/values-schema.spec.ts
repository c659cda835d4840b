import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { helmTemplateError } from './helm';

/** values.schema.json: Helm refuses bad values before rendering, naming the key and the rule. */
describe('values.schema.json rejects bad values with a message naming the key', () => {
  const cases: Array<{ name: string; set: string[]; message: RegExp }> = [
    { name: 'a negative GPU count', set: ['asrWorker.gpu.nvidia.high.gpuCount=-1'], message: /asrWorker\/gpu\/nvidia\/high\/gpuCount'?: minimum: got -1, want 0/ },
    { name: 'an unknown tier in the matrix', set: ['asrWorker.gpu.nvidia.ultra.enabled=true'], message: /asrWorker\/gpu\/nvidia'?: additional properties 'ultra' not allowed/ },
    { name: 'an unknown vendor', set: ['translateWorker.gpu.apple.high.enabled=true'], message: /translateWorker\/gpu'?: additional properties 'apple' not allowed/ },
    { name: 'a gateway tier that does not exist', set: ['gateway.asrTier=ultra'], message: /gateway\/asrTier'?: value must be one of 'auto', 'cpu', 'low', 'medium', 'high'/ },
    { name: 'an unknown precision', set: ['asrWorker.cpu.precision=fp8'], message: /asrWorker\/cpu\/precision'?: value must be one of/ },
    { name: 'an execution provider onnxruntime-node lacks', set: ['asrWorker.gpu.amd.high.executionProviders={rocm}'], message: /executionProviders\/0'?: value must be one of/ },
    { name: 'an autoscaling mode typo', set: ['poolDefaults.autoscaling.mode=kedaa'], message: /poolDefaults\/autoscaling\/mode'?: value must be one of 'auto', 'keda', 'hpa', 'none'/ },
    { name: 'an API key in clear instead of its SHA-256', set: ['tenants.items[0].id=a', 'tenants.items[0].apiKeySha256=secret'], message: /tenants\/items\/0\/apiKeySha256'?: 'secret' does not match pattern/ },
    { name: 'a Redis URL that is not redis://', set: ['redis.queue.url=http://q:6379'], message: /redis\/queue\/url'?: 'http:\/\/q:6379' does not match pattern/ },
    { name: 'a Redis URL in the config section (it belongs in a Secret)', set: ['config.redis.queue_url=redis://q:6379'], message: /config\/redis/ },
    { name: 'a misspelt top-level key', set: ['gatway.replicas=3'], message: /additional properties 'gatway' not allowed/ },
    { name: 'a bad cache maxmemory', set: ['redis.cache.maxmemory=lots'], message: /redis\/cache\/maxmemory'?: 'lots' does not match pattern/ },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const err = helmTemplateError({ set: ['tenants.allowAnonymous=true', ...c.set] });
      assert.match(err, /values don't meet the specifications of the schema/);
      assert.match(err, c.message);
    });
  }
});
