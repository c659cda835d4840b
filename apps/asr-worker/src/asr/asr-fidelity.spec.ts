import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ensureTinyModels, repoRoot } from '@olt/devkit';

// The fidelity script lives in the devkit and loads this app's engine at run time; tested here, where the
// engine is built.
describe('asr-fidelity script', () => {
  const root = mkdtempSync(join(tmpdir(), 'olt-fidelity-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('runs on the tiny model, prints per-file and overall WER, and says the model is a test model', async () => {
    const { whisper } = await ensureTinyModels(root);
    const script = join(repoRoot(), 'libs', 'devkit', 'dist', 'bin', 'asr-fidelity.js');
    const run = spawnSync(process.execPath, [script, '--model', whisper, '--language', 'en'], {
      encoding: 'utf8',
      timeout: 60000,
    });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /generated test model/);
    assert.match(run.stdout, /two-sentences\.wav: WER \d+\.\d%/);
    assert.match(run.stdout, /hello\.wav: WER \d+\.\d%/);
    assert.match(run.stdout, /overall WER \d+\.\d% \(\d+\/22 words\)/);
  });

  it('fails with a usage message without --model', () => {
    const script = join(repoRoot(), 'libs', 'devkit', 'dist', 'bin', 'asr-fidelity.js');
    const run = spawnSync(process.execPath, [script], { encoding: 'utf8' });
    assert.equal(run.status, 2);
    assert.match(run.stdout, /usage: .*--model DIR/);
  });
});
