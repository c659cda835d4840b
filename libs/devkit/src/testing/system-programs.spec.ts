import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { findOnPath, isCi, skipSummary } from './system-programs';

/**
 * The runner's handling of missing system programs, checked by running a real spec under the real runner
 * with a PATH that lacks the program (instead of uninstalling packages).
 */
describe('tests that need a system program', () => {
  const dir = mkdtempSync(join(tmpdir(), 'olt-progs-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const emptyBin = join(dir, 'empty-bin');
  mkdirSync(emptyBin);
  const fixture = join(dir, 'needs-ffmpeg.spec.js');
  writeFileSync(
    fixture,
    [
      `const { test } = require('node:test');`,
      `const { needsProgram } = require(${JSON.stringify(join(__dirname, 'system-programs.js'))});`,
      `const skip = needsProgram('ffmpeg', 'FLAC decoding in the fixture');`,
      `test('decodes FLAC', { skip }, () => { throw new Error('must not run without ffmpeg'); });`,
      `test('an unrelated check still runs', () => {});`,
    ].join('\n'),
  );

  const runFixture = (ci: string | undefined, path = emptyBin) => {
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: path };
    delete env.CI;
    if (ci !== undefined) env.CI = ci;
    const script = `process.exit(require(${JSON.stringify(join(__dirname, 'spec-runner.js'))}).runSpecFiles([${JSON.stringify(fixture)}], { cwd: ${JSON.stringify(dir)} }))`;
    const res = spawnSync(process.execPath, ['-e', script], { env, encoding: 'utf8', timeout: 60_000 });
    return { status: res.status, out: `${res.stdout}${res.stderr}` };
  };

  test('outside CI a missing program skips its tests with one line and a summary naming the install command', () => {
    const { status, out } = runFixture(undefined);
    assert.equal(status, 0, out);
    assert.match(out, /# SKIPPED FLAC decoding in the fixture: ffmpeg not installed/);
    assert.match(out, /Not checked on this machine/);
    assert.match(out, /ffmpeg: FLAC decoding in the fixture/);
    assert.match(out, /sudo apt-get install -y --no-install-recommends ffmpeg/);
  });

  test('under CI=true a missing program is a failing test that names it', () => {
    const { status, out } = runFixture('true');
    assert.notEqual(status, 0, out);
    assert.match(out, /CI=true requires ffmpeg for: FLAC decoding in the fixture/);
    assert.match(out, /these system programs are missing, so their tests FAILED/);
  });

  test('when the program is on the PATH nothing is skipped or summarised', () => {
    const fakeBin = join(dir, 'fake-bin');
    mkdirSync(fakeBin);
    writeFileSync(join(fakeBin, 'ffmpeg'), '#!/bin/sh\nexit 0\n');
    chmodSync(join(fakeBin, 'ffmpeg'), 0o755);
    const { status, out } = runFixture('true', fakeBin);
    // The fixture's FLAC test throws when it runs, which proves the gate let it run.
    assert.notEqual(status, 0);
    assert.match(out, /must not run without ffmpeg/);
    assert.doesNotMatch(out, /SKIPPED|Not checked|CI=true requires/);
  });

  test('CI is read the way CI systems set it', () => {
    assert.equal(isCi({ CI: 'true' }), true);
    assert.equal(isCi({ CI: '1' }), true);
    assert.equal(isCi({ CI: 'false' }), false);
    assert.equal(isCi({ CI: '0' }), false);
    assert.equal(isCi({}), false);
  });

  test('the summary merges checks per program and installs every package once', () => {
    const text = skipSummary(
      [
        {
          program: 'obs',
          missing: ['obs', 'xvfb-run'],
          checks: 'OBS text source',
          apt: ['obs-studio', 'xvfb'],
        },
        { program: 'obs', missing: ['obs'], checks: 'CLI --obs', apt: ['obs-studio', 'xvfb'] },
        { program: 'ffmpeg', missing: ['ffmpeg'], checks: 'captions', apt: ['ffmpeg'] },
      ],
      false,
    );
    assert.match(text, /obs, xvfb-run: OBS text source; CLI --obs/);
    assert.match(text, /install -y --no-install-recommends obs-studio xvfb ffmpeg$/);
    assert.equal(skipSummary([], false), '');
  });

  test('findOnPath finds executables only', () => {
    assert.equal(findOnPath('sh', '/bin:/usr/bin') !== undefined, true);
    assert.equal(findOnPath('definitely-not-a-program-olt', '/bin:/usr/bin'), undefined);
  });
});
