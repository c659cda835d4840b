import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError } from './config-error';
import {
  configWarnings,
  findConfigRoot,
  loadConfig,
  requireRedisEndpoint,
  requireRedisUrl,
  resolveConfigFile,
  resolveModelDir,
} from './load-config';

const dir = mkdtempSync(join(tmpdir(), 'olt-config-'));
let n = 0;
function tomlFile(text: string): string {
  const file = join(dir, `c${n++}.toml`);
  writeFileSync(file, text);
  return file;
}

/** How messages show a file: relative to the current directory when below it, else absolute. */
const shown = (file: string) =>
  relative(process.cwd(), file).startsWith('..') ? file : relative(process.cwd(), file);

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return err.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('loadConfig', () => {
  test('loads config/default.toml found above the code, with the documented defaults', () => {
    const config = loadConfig({ env: {} });
    assert.equal(resolveConfigFile({ env: {} }), join(findConfigRoot()!, 'config', 'default.toml'));
    assert.equal(config.gateway.grpcPort, 50051);
    assert.equal(config.gateway.httpPort, 8080);
    assert.equal(config.vad.threshold, 0.5);
    assert.equal(config.vad.negThreshold, 0.35);
    assert.deepEqual(config.asr.executionProviders, ['cpu']);
    assert.equal(config.queue.resultTimeoutMs, 120000);
    assert.equal(config.log.level, 'info');
    assert.deepEqual(config.tenants, []);
    assert.equal(config.gateway.publicUrl, 'http://localhost:8080');
    assert.match(config.gateway.id, /.+-\d+$/);
    assert.ok(isAbsolute(config.models.dir));
    assert.equal(relative(findConfigRoot()!, config.models.dir), '.models');
  });

  test('config/default.toml states exactly the schema defaults', () => {
    assert.deepEqual(loadConfig({ env: {} }), loadConfig({ file: tomlFile(''), env: {} }));
  });

  test('an OLT__SECTION__KEY env var wins over the file, in any case', () => {
    const file = tomlFile('[vad]\nsilence_ms = 600\n[gateway]\nhost = "127.0.0.1"\n');
    const config = loadConfig({ file, env: { OLT__VAD__SILENCE_MS: '700', olt__gateway__host: '10.0.0.1' } });
    assert.equal(config.vad.silenceMs, 700);
    assert.equal(config.gateway.host, '10.0.0.1');
  });

  test('env values are typed: TOML values, comma lists, and raw text for string keys', () => {
    const config = loadConfig({
      env: {
        OLT__CACHE__ENABLED: 'false',
        OLT__ASR__EXECUTION_PROVIDERS: 'cuda, cpu',
        OLT__TRANSLATE__EXECUTION_PROVIDERS: '["webgpu", "cpu"]',
        OLT__GATEWAY__ID: '123',
        OLT__TENANTS: '[{ id = "t1", api_key = "k1", plan = "pro" }]',
      },
    });
    assert.equal(config.cache.enabled, false);
    assert.deepEqual(config.asr.executionProviders, ['cuda', 'cpu']);
    assert.deepEqual(config.translate.executionProviders, ['webgpu', 'cpu']);
    assert.equal(config.gateway.id, '123');
    assert.equal(config.tenants[0].plan, 'pro');
  });

  test('overrides win over env', () => {
    const config = loadConfig({
      env: { OLT__VAD__SILENCE_MS: '700' },
      overrides: { vad: { silenceMs: 800 } },
    });
    assert.equal(config.vad.silenceMs, 800);
    assert.equal(config.vad.threshold, 0.5, 'keys not overridden keep their values');
  });

  test('REDIS_URL fills only empty Redis URLs; MODELS_DIR and LOG_LEVEL are aliases OLT__ vars beat', () => {
    const file = tomlFile('[redis]\ncache_url = "redis://cache:6379"\n');
    const config = loadConfig({
      file,
      env: {
        REDIS_URL: 'redis://q:6379',
        MODELS_DIR: '/srv/models',
        LOG_LEVEL: 'DEBUG',
        OLT__LOG__LEVEL: 'warn',
      },
    });
    assert.equal(config.redis.queueUrl, 'redis://q:6379');
    assert.equal(config.redis.cacheUrl, 'redis://cache:6379');
    assert.equal(config.models.dir, '/srv/models');
    assert.equal(config.log.level, 'warn');
    assert.equal(loadConfig({ env: { LOG_LEVEL: 'DEBUG' } }).log.level, 'debug');
  });

  test('OLT_CONFIG names the file', () => {
    const file = tomlFile('[gateway]\ngrpc_port = 6000\n');
    assert.equal(loadConfig({ env: { OLT_CONFIG: file } }).gateway.grpcPort, 6000);
  });

  test('a bad value names the key, the value, what is allowed and where it came from', () => {
    const file = tomlFile('[vad]\nthreshold = 0.5\n');
    const problems = problemsOf(() => loadConfig({ file, env: { OLT__VAD__THRESHOLD: '1.7' } }));
    assert.deepEqual(problems, [
      `config: vad.threshold = 1.7 is invalid: must be <= 1 (file ${shown(file)}, env OLT__VAD__THRESHOLD)`,
    ]);
  });

  test('every problem is listed at once, with type and enum explanations', () => {
    const file = tomlFile(
      '[gateway]\ngrpc_port = "x"\n[asr]\ntier = "gpu"\nexecution_providers = ["cudaa"]\n',
    );
    const problems = problemsOf(() => loadConfig({ file, env: { OLT__QUEUE__ATTEMPTS: '0' } }));
    assert.equal(problems.length, 4, problems.join('\n'));
    assert.match(
      problems[0],
      /^config: gateway\.grpc_port = "x" is invalid: must be a number, got a string \(file /,
    );
    assert.match(
      problems[1],
      /^config: asr\.tier = "gpu" is invalid: must be one of "cpu", "low", "medium", "high"/,
    );
    assert.match(
      problems[2],
      /^config: asr\.execution_providers\[0\] = "cudaa" is invalid: must be one of "cpu"/,
    );
    assert.match(
      problems[3],
      /^config: queue\.attempts = 0 is invalid: must be >= 1 \(env OLT__QUEUE__ATTEMPTS\)$/,
    );
  });

  test('an unknown key is an error that suggests the closest known key', () => {
    const file = tomlFile('[vad]\nsilense_ms = 300\n[vadd]\nx = 1\n');
    const problems = problemsOf(() => loadConfig({ file, env: { OLT__LIMITS__MAX_TARGET: '3' } }));
    assert.equal(problems.length, 3, problems.join('\n'));
    assert.ok(
      problems.some((p) =>
        /^config: vad\.silense_ms is not a known key \(did you mean silence_ms\?\)/.test(p),
      ),
    );
    assert.ok(problems.some((p) => /^config: vadd is not a known key \(did you mean vad\?\)/.test(p)));
    assert.ok(
      problems.some((p) =>
        /limits\.max_target is not a known key \(did you mean max_targets\?\) \(env OLT__LIMITS__MAX_TARGET\)/.test(
          p,
        ),
      ),
    );
  });

  test('cross-key rules are checked (neg_threshold above threshold)', () => {
    const problems = problemsOf(() => loadConfig({ env: {}, overrides: { vad: { negThreshold: 0.6 } } }));
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.equal(
      problems[0],
      'config: vad.neg_threshold = 0.6 is invalid: must be <= vad.threshold ' +
        `(speech ends below neg_threshold, starts above threshold) (file ${shown(resolveConfigFile({ env: {} }))}, overrides)`,
    );
  });

  test('a file that is not TOML is reported with its line', () => {
    const file = tomlFile('[vad]\nthreshold = = 2\n');
    const [problem] = problemsOf(() => loadConfig({ file, env: {} }));
    assert.match(problem, /is not valid TOML at line 2/);
  });

  test('a missing OLT_CONFIG file is reported as such', () => {
    const [problem] = problemsOf(() => loadConfig({ env: { OLT_CONFIG: join(dir, 'nope.toml') } }));
    assert.match(problem, /nope\.toml \(from env OLT_CONFIG\) does not exist/);
  });

  test('tenants: a plain key is hashed and warned about; a key is required; ids are unique', () => {
    const file = tomlFile('[[tenants]]\nid = "dev"\napi_key = "secret-1"\n');
    const config = loadConfig({ file, env: {} });
    const hash = createHash('sha256').update('secret-1').digest('hex');
    assert.equal(config.tenants[0].apiKeySha256, hash);
    assert.equal(config.tenants[0].maxStreams, 10);
    assert.equal(config.tenants[0].plan, 'free');
    const warnings = configWarnings(config);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /tenants\[0\] \(id "dev"\) has a plain api_key: fine for development only/);
    assert.ok(!warnings[0].includes('secret-1'), 'the key itself is never printed');

    const bad = tomlFile(
      `[[tenants]]\nid = "a"\n[[tenants]]\nid = "a"\napi_key_sha256 = "${hash}"\napi_key = "secret-1"\n`,
    );
    const problems = problemsOf(() => loadConfig({ file: bad, env: {} }));
    assert.equal(problems.length, 3, problems.join('\n'));
    assert.match(problems[0], /^config: tenants\[0\] is invalid: needs exactly one of api_key_sha256/);
    assert.match(problems[1], /^config: tenants\[1\] is invalid: needs exactly one of api_key_sha256/);
    assert.match(problems[2], /^config: tenants\[1\]\.id = "a" is invalid: duplicates tenants\[0\]\.id/);
    assert.ok(!problems.join('\n').includes('secret-1'), 'secrets are not echoed');

    const dup = tomlFile(`[[tenants]]\nid = "a"\napi_key = "k1"\n[[tenants]]\nid = "a"\napi_key = "k2"\n`);
    assert.match(
      problemsOf(() => loadConfig({ file: dup, env: {} }))[0],
      /tenants\[1\]\.id = "a" is invalid: duplicates tenants\[0\]\.id/,
    );
  });

  test('the config is frozen: a stray write throws instead of changing every module', () => {
    const config = loadConfig({ env: {} });
    assert.throws(() => {
      (config.vad as { silenceMs: number }).silenceMs = 1;
    }, TypeError);
  });

  test('requireRedisUrl tells the operator how to set an empty URL', () => {
    const config = loadConfig({ env: {} });
    assert.throws(
      () => requireRedisUrl(config, 'queue'),
      /redis\.queue_url is empty: .*OLT__REDIS__QUEUE_URL or REDIS_URL/,
    );
    assert.equal(requireRedisUrl(loadConfig({ env: { REDIS_URL: 'redis://x:1' } }), 'cache'), 'redis://x:1');
  });

  test('a password in a bad Redis URL is masked in the message', () => {
    const [problem] = problemsOf(() =>
      loadConfig({ env: { OLT__REDIS__QUEUE_URL: 'http://:hunter2@host:6379' } }),
    );
    assert.match(
      problem,
      /redis\.queue_url = "http:\/\/:\*\*\*@host:6379" is invalid: must be empty or a redis:\/\//,
    );
  });

  test('Sentinel and Cluster URLs with their secrets from env make the role endpoints', () => {
    const config = loadConfig({
      env: {
        OLT__REDIS__QUEUE_URL: 'rediss+sentinel://s1:26379,s2:26379/olt-queue',
        OLT__REDIS__QUEUE_PASSWORD: '12345',
        OLT__REDIS__QUEUE_SENTINEL_PASSWORD: 'sentinel-pw',
        OLT__REDIS__QUEUE_TLS_CA_FILE: '/etc/redis-ca/ca.crt',
        OLT__REDIS__CACHE_URL: 'redis+cluster://c1:6379,c2:6379',
        OLT__REDIS__CACHE_PASSWORD: 'cache-pw',
      },
    });
    assert.deepEqual(requireRedisEndpoint(config, 'queue'), {
      url: 'rediss+sentinel://s1:26379,s2:26379/olt-queue',
      password: '12345', // a number-looking secret stays a string
      sentinelPassword: 'sentinel-pw',
      tlsCaFile: '/etc/redis-ca/ca.crt',
    });
    assert.deepEqual(requireRedisEndpoint(config, 'cache'), {
      url: 'redis+cluster://c1:6379,c2:6379',
      password: 'cache-pw',
      tlsCaFile: '',
    });
  });

  test('a Cluster URL for the queue Redis and a Sentinel URL without a master are refused, passwords masked', () => {
    const problems = problemsOf(() =>
      loadConfig({
        env: {
          OLT__REDIS__QUEUE_URL: 'redis+cluster://:hunter2@n1:6379',
          OLT__REDIS__CACHE_URL: 'redis+sentinel://:hunter2@s1',
        },
      }),
    );
    const text = problems.join('\n');
    assert.match(text, /redis\.queue_url = "redis\+cluster:\/\/:\*\*\*@n1:6379" is invalid: .*not a cluster/);
    assert.match(text, /redis\.cache_url = .* names the master/);
    assert.doesNotMatch(text, /hunter2/);
  });

  test('Redis passwords are never echoed in a config problem', () => {
    const file = tomlFile('[redis]\nqueue_password = 271828\n');
    const text = problemsOf(() => loadConfig({ file, env: {} })).join('\n');
    assert.match(text, /redis\.queue_password = "\*\*\*"/);
    assert.doesNotMatch(text, /271828/);
  });

  test('resolveModelDir puts model names under models.dir and keeps absolute paths', () => {
    const config = loadConfig({ env: { MODELS_DIR: '/srv/models' } });
    assert.equal(
      resolveModelDir(config, 'onnx-community/whisper-base'),
      '/srv/models/onnx-community/whisper-base',
    );
    assert.equal(resolveModelDir(config, '/opt/m/nllb'), '/opt/m/nllb');
  });
});
