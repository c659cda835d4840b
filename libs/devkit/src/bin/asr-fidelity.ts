#!/usr/bin/env node
/**
 * Model-fidelity check: transcribes the committed speech samples (libs/devkit/fixtures/speech, transcripts
 * in manifest.json) with a Whisper export and prints the word error rate per file and overall.
 *
 *   node libs/devkit/dist/bin/asr-fidelity.js --model .models/whisper-base [--precision int8] [--language en]
 *
 * It drives the ASR worker's own engine (apps/asr-worker/dist), so what it measures is what production
 * runs; build first (`npm run build`). The generated test models run too, but their words are nonsense.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { AsrEngine } from '@olt/shared';
import { speechFixtures } from '../audio';
import { readWav } from '../audio/wav';
import { werCounts } from '../models/whisper/word-error-rate';
import { repoRoot } from '../stack/repo-root';

interface EngineModule {
  WhisperOnnxEngine: {
    load(
      dir: string,
      options: { precision?: string; executionProviders?: string[]; maxNewTokens?: number },
    ): Promise<AsrEngine>;
  };
}

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    precision: { type: 'string', default: 'auto' },
    language: { type: 'string' },
    ep: { type: 'string', default: 'cpu' },
    help: { type: 'boolean', default: false },
  },
});

if (values.help || !values.model) {
  console.log(`usage: node libs/devkit/dist/bin/asr-fidelity.js --model DIR [--precision auto|fp32|fp16|int8|q4]
                                     [--language en] [--ep cuda,cpu]
DIR is a Hugging Face Whisper ONNX export (onnx/encoder_model*.onnx, onnx/decoder_model_merged*.onnx).
Without --language the language is detected.`);
  process.exit(values.help ? 0 : 2);
}

async function main(): Promise<void> {
  const engineFile = join(repoRoot(), 'apps', 'asr-worker', 'dist', 'asr', 'whisper', 'index.js');
  if (!existsSync(engineFile)) throw new Error(`${engineFile} not found: run \`npm run build\` first`);
  // Loaded at run time: the devkit must not depend on an app at build time (the app's tests use the devkit).
  const { WhisperOnnxEngine } = (await import(engineFile)) as EngineModule;
  const dir = resolve(values.model!);
  const engine = await WhisperOnnxEngine.load(dir, {
    precision: values.precision,
    executionProviders: values.ep!.split(','),
  });
  const { info } = engine;
  console.log(`model ${info.id} (${info.precision}) on ${info.executionProvider}, from ${info.path}`);
  if (info.isTestModel) {
    console.log(
      'NOTE: this is a generated test model: its words are deterministic nonsense, so the WER below is ' +
        'meaningless (it shows that the pipeline runs, not how well a model hears).',
    );
  }
  let errors = 0;
  let words = 0;
  let audioMs = 0;
  let decodeMs = 0;
  for (const fixture of speechFixtures()) {
    const { samples } = readWav(fixture.path);
    const reference = fixture.utterances.map((u) => u.text).join(' ');
    const started = performance.now();
    const [result] = await engine.transcribe([{ audio: samples, language: values.language }]);
    decodeMs += performance.now() - started;
    audioMs += fixture.durationMs;
    const counts = werCounts(reference, result.text);
    errors += counts.errors;
    words += counts.referenceWords;
    console.log(
      `${fixture.file}: WER ${pct(counts.errors / counts.referenceWords)} ` +
        `(${counts.errors}/${counts.referenceWords}), language ${result.language}\n` +
        `  reference:  ${reference}\n  hypothesis: ${result.text}`,
    );
  }
  console.log(
    `overall WER ${pct(errors / words)} (${errors}/${words} words), ` +
      `real-time factor ${(decodeMs / audioMs).toFixed(3)}${info.isTestModel ? ' [test model]' : ''}`,
  );
  await engine.dispose();
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

main().catch((err: unknown) => {
  console.error(`asr-fidelity: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
