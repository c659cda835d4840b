#!/usr/bin/env node
/**
 * `npm run demo`: the whole stack on this machine with its embedded defaults — two local Redis servers
 * (queue: noeviction, cache: allkeys-lfu), the gateway, one ASR and one translate worker — then a sample
 * WAV streamed over gRPC with transcripts and translations printed as they arrive. The stack keeps
 * running for your own clients until Ctrl+C (or exits after the sample with --exit).
 */
import { parseArgs } from 'node:util';
import { speechFixture } from '../audio';
import { readWav } from '../audio/wav';
import { createLiveTranslateClient, streamAudio } from '../client';
import { freePort, startLocalStack } from '../stack';
import { chooseDemoModels, type DemoModelMode } from '../stack/demo-models';
import { repoRoot } from '../stack/repo-root';
import {
  loadConfig,
  PeriodicProgressLines,
  TerminalProgressBar,
  type StreamResponse__Output,
} from '@olt/shared';
import { isAbsolute, join } from 'node:path';

const { values } = parseArgs({
  options: {
    wav: { type: 'string' },
    targets: { type: 'string', default: 'es,fr,de' },
    source: { type: 'string', default: 'en' },
    'models-dir': { type: 'string' },
    // auto: real models when on disk or the hub answers (downloaded once, with progress), else test models.
    models: { type: 'string', default: 'auto' },
    hub: { type: 'string' },
    'asr-model': { type: 'string' },
    'mt-model': { type: 'string' },
    // Real time by default, like a live stream; --fast sends as fast as the gateway reads (LAG events then
    // say, correctly, that transcripts trail the audio received).
    fast: { type: 'boolean', default: false },
    exit: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(`usage: npm run demo -- [--wav file.wav] [--targets es,fr,de] [--source en|auto]
                       [--models auto|real|test] [--models-dir DIR] [--hub URL]
                       [--asr-model NAME] [--mt-model NAME] [--fast] [--exit]
--models auto (default): real models — whisper-base (whisper-tiny under 4 cores) and
  nllb-200-distilled-600M, int8 — from DIR, or downloaded from the Hugging Face hub once (with progress,
  resumable; ~1 GB); without network, the generated test models (real pipeline, nonsense words).
--models real: real models or an error saying how to get them. --models test: the test models.
Models are Hugging Face ONNX exports under DIR/NAME (default DIR: models.dir = .models).`);
  process.exit(0);
}

const dim = (s: string) => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s);
const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);

async function portOr(preferred: number): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const srv = createServer().once('error', () => void freePort().then(resolve));
    srv.listen(preferred, '127.0.0.1', () => srv.close(() => resolve(preferred)));
  });
}

function show(r: StreamResponse__Output): void {
  if (r.started) console.log(dim(`session ${r.started.sessionId} started`));
  else if (r.event) {
    const e = r.event;
    if (e.type === 'WARNING' || e.type === 'LAG' || e.type === 'SERVER_BUSY')
      console.log(`! ${e.type}: ${e.message}`);
    else console.log(dim(`${e.type.padEnd(12)} ${(Number(e.audioMs) / 1000).toFixed(2)} s  ${e.segmentId}`));
  } else if (r.transcript) {
    const t = r.transcript;
    const span = `${(Number(t.startMs) / 1000).toFixed(2)}–${(Number(t.endMs) / 1000).toFixed(2)} s`;
    console.log(`${bold(`[${t.language || '??'}]`)} ${span}  ${t.text || dim('(no speech)')}`);
  } else if (r.translation) {
    const t = r.translation;
    console.log(`   ${bold(`→ ${t.targetLanguage}`)} ${t.text}${t.fromCache ? dim('  (cache)') : ''}`);
  }
}

async function main(): Promise<void> {
  console.log(bold('OBS Live Translator — local stack'));
  const mode = values.models as DemoModelMode;
  if (!['auto', 'real', 'test'].includes(mode)) throw new Error(`--models must be auto, real or test`);
  const config = loadConfig();
  const modelsDirSetting = values['models-dir'] ?? config.models.dir;
  const modelsDir = isAbsolute(modelsDirSetting) ? modelsDirSetting : join(repoRoot(), modelsDirSetting);
  const hubUrl = values.hub ?? config.models.hubUrl;
  const chosen = await chooseDemoModels({
    mode,
    modelsDir,
    hubUrl,
    offline: config.models.offline,
    progress: process.stderr.isTTY
      ? new TerminalProgressBar(process.stderr)
      : new PeriodicProgressLines((line) => process.stderr.write(`${line}\n`)),
  });
  console.log(dim(chosen.note));
  console.log(dim('starting 2 Redis servers, gateway, ASR worker, translate worker, cache service …'));
  const stack = await startLocalStack({
    modelsDir,
    asrModel: values['asr-model'] ?? chosen.asrModel,
    translateModel: values['mt-model'] ?? chosen.translateModel,
    settings: {
      asr: { precision: chosen.precision },
      translate: { precision: chosen.precision },
      models: { hub_url: hubUrl },
    },
    grpcPort: await portOr(50051),
    httpPort: await portOr(8080),
    cacheService: true,
    onLine: (label, line) => {
      // Surface worker/gateway warnings and errors; the JSON logs stay in the log files.
      let entry: { level?: string | number; msg?: string } | undefined;
      try {
        entry = JSON.parse(line) as { level?: string | number; msg?: string };
      } catch {
        entry = undefined;
      }
      const level = entry?.level;
      const loud =
        level === 'warn' ||
        level === 'error' ||
        level === 'fatal' ||
        (typeof level === 'number' && level >= 40);
      if (loud) console.log(dim(`${label}: ${level} ${entry?.msg ?? ''}`));
      else if (!entry && line.trim()) console.log(dim(`${label}: ${line}`));
    },
  });
  console.log(
    `gRPC ${bold(stack.grpcAddress)}   HTTP ${bold(stack.httpUrl)}   admin ${bold(stack.adminUrl)} (/readyz, /metrics)   logs ${stack.logDir}`,
  );

  if (stack.cache)
    console.log(
      dim(
        `cache service ${stack.cache.adminUrl} (/metrics; admin API: Authorization: Bearer ${stack.cache.adminToken})`,
      ),
    );

  const wav = readWav(values.wav ?? speechFixture('two-sentences.wav').path);
  const targets = values.targets
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  console.log(
    dim(
      `streaming ${values.wav ?? 'the bundled sample'} (${(wav.samples.length / wav.channels / wav.sampleRate).toFixed(1)} s) → ${targets.join(', ')}`,
    ),
  );
  const client = createLiveTranslateClient(stack.grpcAddress);
  const outcome = await streamAudio(client, {
    config: {
      audio: { encoding: wav.encoding, sampleRateHz: wav.sampleRate, channels: wav.channels },
      sourceLanguage: values.source,
      targetLanguages: targets,
    },
    pcm: wav.data,
    realtimeFactor: values.fast ? 0 : 1,
    onResponse: show,
  });
  client.close();
  if (outcome.error) console.log(`stream ended with ${outcome.error.code}: ${outcome.error.details}`);
  else console.log(dim('stream complete'));

  const stop = async () => {
    console.log(dim('stopping …'));
    await stack.stop();
    process.exit(outcome.error ? 1 : 0);
  };
  if (values.exit) return stop();
  console.log(`stack running — point a client at ${stack.grpcAddress} (Ctrl+C to stop)`);
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
