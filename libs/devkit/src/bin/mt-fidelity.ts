#!/usr/bin/env node
/**
 * MT fidelity check: translates the committed parallel sample (libs/devkit/fixtures/parallel/sample.json,
 * English → es/fr/de) through the real product path — a local stack with the given NLLB model, TranslateText
 * over gRPC, the translate worker's batching and decoding — and prints corpus BLEU and chrF per target.
 *
 *   node libs/devkit/dist/bin/mt-fidelity.js --model /models/nllb-200-distilled-600M [--targets es,fr,de]
 *
 * The cache is disabled so that every score is the model's own output. With the generated test model it
 * runs end to end but says the scores are meaningless (its words are deterministic nonsense).
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { TranslateTextResponse__Output } from '@olt/shared';
import { bearer, createLiveTranslateClient } from '../client';
import { corpusBleu, corpusChrF } from '../models/nllb/mt-scores';
import { TINY_NLLB } from '../models/tiny-models';
import { repoRoot, startLocalStack } from '../stack';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: TINY_NLLB },
    'models-dir': { type: 'string' },
    targets: { type: 'string', default: 'es,fr,de' },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(
    'usage: mt-fidelity [--model <name under models dir | absolute dir>] [--models-dir <dir>] [--targets es,fr,de]',
  );
  process.exit(0);
}

type Row = Record<'en' | 'es' | 'fr' | 'de', string>;

async function main(): Promise<void> {
  const root = repoRoot();
  const sample = JSON.parse(
    readFileSync(join(root, 'libs', 'devkit', 'fixtures', 'parallel', 'sample.json'), 'utf8'),
  ) as Row[];
  const targets = values.targets.split(',').map((t) => t.trim()) as Array<keyof Row>;
  for (const t of targets) {
    if (!['es', 'fr', 'de'].includes(t))
      throw new Error(`the sample has references for es, fr, de only (got ${t})`);
  }
  const modelsDir = values['models-dir'] ? resolve(values['models-dir']) : join(root, '.models');
  const apiKey = 'mt-fidelity';
  const stack = await startLocalStack({
    modelsDir,
    translateModel: values.model,
    apiKeys: { fidelity: apiKey },
    settings: { cache: { enabled: false } },
  });
  const client = createLiveTranslateClient(stack.grpcAddress);
  try {
    const modelDir = isAbsolute(values.model) ? values.model : join(modelsDir, values.model);
    const config = JSON.parse(readFileSync(join(modelDir, 'config.json'), 'utf8')) as {
      olt_test_model?: boolean;
    };
    const started = performance.now();
    const outputs = await Promise.all(
      sample.map(
        (row) =>
          new Promise<TranslateTextResponse__Output>((ok, fail) =>
            client.translateText(
              { text: row.en, sourceLanguage: 'en', targetLanguages: targets },
              bearer(apiKey),
              (err, r) => (err ? fail(err) : ok(r!)),
            ),
          ),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    console.log(`model: ${modelDir}`);
    console.log(
      `sample: ${sample.length} sentences, en → ${targets.join(', ')}; ${seconds.toFixed(1)} s through the stack`,
    );
    console.log('target  BLEU   chrF');
    for (const [i, target] of targets.entries()) {
      const hyps = outputs.map((o) => o.translations[i].text);
      const refs = sample.map((row) => row[target]);
      console.log(
        `${target.padEnd(6)} ${corpusBleu(hyps, refs).toFixed(1).padStart(5)}  ${corpusChrF(hyps, refs).toFixed(1).padStart(5)}`,
      );
    }
    console.log(`example (${targets[0]}): "${sample[0].en}" → "${outputs[0].translations[0].text}"`);
    if (config.olt_test_model) {
      console.log(
        'NOTE: this is a generated TEST model (deterministic nonsense): the scores only show that the script runs.',
      );
    }
  } finally {
    client.close();
    await stack.stop();
  }
}

main().catch((err: unknown) => {
  console.error(`mt-fidelity failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
