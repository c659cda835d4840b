import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { generateTinyNllb } from './nllb';
import { generateTinyWhisper } from './whisper';

export const TINY_WHISPER = 'whisper-tiny-test';
export const TINY_NLLB = 'nllb-tiny-test';

const GENERATORS: Record<string, (dir: string) => Promise<void>> = {
  [TINY_WHISPER]: generateTinyWhisper,
  [TINY_NLLB]: generateTinyNllb,
};

/**
 * Makes sure the generated test models exist under `modelsDir`. Each is built in a temporary sibling and
 * renamed into place, so test files running in parallel never see a half-written model.
 */
export async function ensureTinyModels(modelsDir: string): Promise<{ whisper: string; nllb: string }> {
  mkdirSync(modelsDir, { recursive: true });
  for (const [name, generate] of Object.entries(GENERATORS)) {
    const target = join(modelsDir, name);
    if (existsSync(join(target, 'config.json'))) continue;
    const tmp = `${target}.tmp-${process.pid}-${Date.now()}`;
    await generate(tmp);
    try {
      renameSync(tmp, target);
    } catch (err) {
      // Another process won the race; its copy is identical (the generators are deterministic).
      rmSync(tmp, { recursive: true, force: true });
      if (!existsSync(join(target, 'config.json'))) throw err;
    }
  }
  return { whisper: join(modelsDir, TINY_WHISPER), nllb: join(modelsDir, TINY_NLLB) };
}
