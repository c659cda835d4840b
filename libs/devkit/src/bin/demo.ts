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
import { TINY_NLLB, TINY_WHISPER } from '../models/tiny-models';
import { freePort, startLocalStack } from '../stack';
import type { StreamResponse__Output } from '@olt/shared';

const { values } = parseArgs({
  options: {
    wav: { type: 'string' },
    targets: { type: 'string', default: 'es,fr,de' },
    source: { type: 'string', default: 'en' },
    'models-dir': { type: 'string' },
    'asr-model': { type: 'string', default: TINY_WHISPER },
    'mt-model': { type: 'string', default: TINY_NLLB },
    // Real time by default, like a live stream; --fast sends as fast as the gateway reads (LAG events then
    // say, correctly, that transcripts trail the audio received).
    fast: { type: 'boolean', default: false },
    exit: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(`usage: npm run demo -- [--wav file.wav] [--targets es,fr,de] [--source en|auto]
                       [--models-dir DIR] [--asr-model NAME] [--mt-model NAME] [--fast] [--exit]
Models are Hugging Face ONNX exports under DIR/NAME (default DIR: .models). The defaults are generated
test models: the pipeline is real, their words are deterministic nonsense.`);
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
  if (values['asr-model'] === TINY_WHISPER || values['mt-model'] === TINY_NLLB) {
    console.log(
      dim(
        'using generated TEST models (real ONNX Runtime pipeline, nonsense words); see README "Real models"',
      ),
    );
  }
  console.log(dim('starting 2 Redis servers, gateway, ASR worker, translate worker …'));
  const stack = await startLocalStack({
    modelsDir: values['models-dir'],
    asrModel: values['asr-model'],
    translateModel: values['mt-model'],
    grpcPort: await portOr(50051),
    httpPort: await portOr(8080),
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
