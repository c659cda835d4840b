import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startLocalHub, type LocalHub } from '../models/local-hub';
import { ensureTinyModels, TINY_NLLB, TINY_WHISPER } from '../models/tiny-models';
import { freePort } from './free-port';
import { repoRoot } from './repo-root';
import { chooseDemoModels } from './demo-models';

/**
 * The demo's model choice against a local stand-in for the Hugging Face hub (real HTTP; the generated test
 * models are served under the real repo names, since no registry ships real weights).
 */
describe('npm run demo picks real models when the hub is reachable', () => {
  let hub: LocalHub;
  const dirs: string[] = [];
  const tmp = () => {
    const d = mkdtempSync(join(tmpdir(), 'olt-demo-models-'));
    dirs.push(d);
    return d;
  };
  before(async () => {
    const tiny = join(repoRoot(), '.models');
    await ensureTinyModels(tiny);
    hub = await startLocalHub(
      {
        'onnx-community/whisper-tiny': join(tiny, TINY_WHISPER),
        'onnx-community/whisper-base': join(tiny, TINY_WHISPER),
        'Xenova/nllb-200-distilled-600M': join(tiny, TINY_NLLB),
      },
      {
        // The real repo's int8 graphs are named _quantized; the test model has fp32 graphs only.
        'Xenova/nllb-200-distilled-600M': {
          'onnx/encoder_model_quantized.onnx': 'onnx/encoder_model.onnx',
          'onnx/decoder_model_merged_quantized.onnx': 'onnx/decoder_model_merged.onnx',
        },
      },
    );
  });
  after(async () => {
    await hub?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('downloads a small Whisper and NLLB-600M (int8) once, then uses them from disk', async () => {
    const modelsDir = tmp();
    const chosen = await chooseDemoModels({ mode: 'auto', modelsDir, hubUrl: hub.url, cores: 2 });
    assert.equal(chosen.real, true, chosen.note);
    assert.deepEqual(
      [chosen.asrModel, chosen.translateModel, chosen.precision],
      ['whisper-tiny', 'nllb-200-distilled-600M', 'int8'],
    );
    assert.ok(existsSync(join(modelsDir, 'whisper-tiny', 'onnx', 'encoder_model_int8.onnx')));
    assert.ok(existsSync(join(modelsDir, 'nllb-200-distilled-600M', 'tokenizer.json')));
    const before = hub.requests.length;
    const again = await chooseDemoModels({ mode: 'real', modelsDir, hubUrl: 'http://127.0.0.1:9', cores: 2 });
    assert.equal(again.real, true, 'on disk: no network needed');
    assert.equal(hub.requests.length, before);
  });

  it('offline, auto falls back to the test models and says in one line how to get real ones', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const chosen = await chooseDemoModels({ mode: 'auto', modelsDir: tmp(), hubUrl: closed, cores: 8 });
    assert.equal(chosen.real, false);
    assert.equal(chosen.asrModel, TINY_WHISPER);
    assert.match(chosen.note, /no network to http:\/\/127\.0\.0\.1:\d+/);
    assert.match(chosen.note, /npm run models -- pull whisper-base/);
    assert.doesNotMatch(chosen.note, /\n/);
    await assert.rejects(
      chooseDemoModels({ mode: 'real', modelsDir: tmp(), hubUrl: closed }),
      /--models real: no network .* npm run models -- pull/,
    );
    assert.equal((await chooseDemoModels({ mode: 'test', modelsDir: tmp(), hubUrl: hub.url })).real, false);
  });

  it('the demo command downloads with progress and prints subtitles from the downloaded models', async () => {
    const modelsDir = tmp();
    const demo = join(repoRoot(), 'libs', 'devkit', 'dist', 'bin', 'demo.js');
    const child = spawn(
      process.execPath,
      [
        demo,
        '--models',
        'auto',
        '--hub',
        hub.url,
        '--models-dir',
        modelsDir,
        '--fast',
        '--exit',
        '--targets',
        'es',
      ],
      { cwd: repoRoot(), env: { ...process.env, CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 0, out);
    assert.match(out, /using real models: whisper-(tiny|base) \+ nllb-200-distilled-600M \(int8\)/);
    assert.match(out, /encoder_model_int8\.onnx/, 'download progress was shown');
    assert.match(out, /→ es /, 'a translation was printed');
  });
});
