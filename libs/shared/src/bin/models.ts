#!/usr/bin/env node
/**
 * `models` — fetch and inspect models for real use:
 *
 *   models pull <name> [--precision P] [--dir DIR] [--hub URL]   download from the Hugging Face hub
 *   models list [--dir DIR]                                       known models and what is on disk
 *   models hardware                                               GPUs, execution providers, chosen tiers
 *
 * Settings come from the same config as the workers (models.dir, models.hub_url, models.offline; env
 * MODELS_DIR, OLT__MODELS__HUB_URL, …); flags override them for this run.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load-config';
import type { AppConfig } from '../config/schema';
import { ExecFileCommandRunner } from '../hardware/command-runner';
import { probeExecutionProviders } from '../hardware/execution-providers';
import { GpuDetector } from '../hardware/gpu-detector';
import { planModels, providerChoices } from '../hardware/model-plan';
import { PeriodicProgressLines, TerminalProgressBar } from '../model-store/download-progress';
import { KNOWN_MODELS } from '../model-store/model-catalog';
import { ModelStore } from '../model-store/model-store';

const USAGE = `usage:
  models pull <name> [--precision fp32|fp16|int8|q8|q4|…] [--dir DIR] [--hub URL]
  models list [--dir DIR]
  models hardware

known models: ${KNOWN_MODELS.map((m) => `${m.name} (${m.repo}, default ${m.defaultPrecision})`).join(', ')}
`;

function storeFor(config: AppConfig, flags: { dir?: string; hub?: string }): ModelStore {
  return new ModelStore({
    dir: flags.dir ?? config.models.dir,
    hubUrl: flags.hub ?? config.models.hubUrl,
    offline: config.models.offline,
    autoDownload: true,
    progress: process.stderr.isTTY
      ? new TerminalProgressBar(process.stderr)
      : new PeriodicProgressLines((line) => process.stderr.write(`${line}\n`)),
  });
}

async function pull(
  config: AppConfig,
  name: string | undefined,
  flags: { precision?: string; dir?: string; hub?: string },
) {
  if (!name) throw new UsageError('models pull needs a model name');
  const result = await storeFor(config, flags).pull(name, flags.precision);
  const fetched = result.files.filter((f) => f.downloaded);
  const mib = (result.files.reduce((n, f) => n + f.bytes, 0) / 1024 / 1024).toFixed(1);
  process.stdout.write(
    `${result.name} (${result.repo}, ${result.precision}) is in ${result.dir}: ${result.files.length} files, ` +
      `${mib} MiB, ${fetched.length} downloaded now\n` +
      `use it with: asr.model / translate.model = "${result.name}", precision = "${result.precision}"\n`,
  );
}

function list(config: AppConfig, flags: { dir?: string }) {
  const store = storeFor(config, flags);
  for (const m of KNOWN_MODELS) {
    const present = store.presentPrecisions(m.name);
    process.stdout.write(
      `${m.name.padEnd(26)} ${m.repo.padEnd(40)} ${present.length ? `on disk: ${present.join(', ')}` : 'not downloaded'}\n`,
    );
  }
  process.stdout.write(`models.dir = ${flags.dir ?? config.models.dir}\n`);
}

async function hardware(config: AppConfig) {
  const inventory = await new GpuDetector(new ExecFileCommandRunner(), config.hardware.smiTimeoutMs).detect();
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(inventory.gpus.length ? 'GPUs:' : 'GPUs: none found');
  for (const g of inventory.gpus) {
    out(`  ${g.vendor}:${g.index} ${g.name}: ${g.freeMiB ?? '?'} of ${g.totalMiB} MiB free`);
  }
  for (const note of inventory.notes) out(`  note: ${note}`);
  const store = storeFor(config, {});
  for (const kind of ['asr', 'translate'] as const) {
    const section = config[kind];
    // What "auto" would choose here, whatever the config says, plus what the config chooses.
    const providers = await probeExecutionProviders(providerChoices(['auto'], section.deviceId));
    out(`${kind}: execution providers loaded: ${providers.available.join(', ')}`);
    for (const miss of providers.unavailable) out(`  ${miss.executionProvider} did not load: ${miss.reason}`);
    for (const [label, tier, model, precision, eps] of [
      ['with tier/model/precision auto', 'auto', 'auto', 'auto', ['auto']],
      ['with the current config', section.tier, section.model, section.precision, section.executionProviders],
    ] as const) {
      const plan = planModels({
        kind,
        tier,
        model,
        precision,
        executionProviders: eps,
        deviceId: section.deviceId,
        reserve: config.hardware.vramReserve,
        inventory,
        providers: await probeExecutionProviders(providerChoices(eps, section.deviceId)),
        presentPrecisions: (m) => store.presentPrecisions(m),
        canDownload: (m) => store.canDownload(m),
      });
      const c = plan.candidates[0];
      out(`  ${label}: tier ${plan.tier} → ${c.model} ${c.precision} on ${c.executionProviders.join(' > ')}`);
    }
  }
}

class UsageError extends Error {}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      precision: { type: 'string' },
      dir: { type: 'string' },
      hub: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, name] = positionals;
  if (values.help || !command) {
    process.stdout.write(USAGE);
    return;
  }
  const config = loadConfig();
  if (command === 'pull') return pull(config, name, values);
  if (command === 'list') return list(config, values);
  if (command === 'hardware') return hardware(config);
  throw new UsageError(`unknown command "${command}"`);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`models: ${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  process.stderr.write(`models: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
