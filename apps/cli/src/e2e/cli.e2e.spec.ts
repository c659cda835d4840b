/**
 * The `olt` CLI as a user runs it (a separate process, dist/main.js) against the whole stack started by
 * @olt/devkit (gateway + workers + real Redis, generated test models): caption files validate, exit codes
 * and messages are the documented ones, and --obs drives a real headless OBS when one is installed.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { speechFixture, startLocalStack, type LocalStack } from '@olt/devkit';
import { startHeadlessObs } from '@olt/devkit/dist/obs';
import { needsProgram } from '@olt/devkit/dist/testing';
import { ObsWebSocketSocket } from '@olt/shared/dist/obs';

const flacSkip = needsProgram('ffmpeg', 'CLI FLAC input decoded through ffmpeg');

const MAIN = join(__dirname, '..', 'main.js');
const KEY = 'cli-test-key';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function olt(args: string[], stdin?: Buffer): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    if (stdin) child.stdin.end(stdin);
    else child.stdin.end();
  });
}

interface ParsedCue {
  index: number;
  startMs: number;
  endMs: number;
  text: string;
}

const toMs = (h: string, m: string, s: string, ms: string) =>
  ((Number(h) * 60 + Number(m)) * 60 + Number(s)) * 1000 + Number(ms);

/** A strict parser: any deviation from the format throws, naming the block. */
function parseCues(text: string, kind: 'srt' | 'vtt'): ParsedCue[] {
  let body = text;
  if (kind === 'vtt') {
    assert.ok(text.startsWith('WEBVTT\n'), 'WebVTT starts with the WEBVTT header line');
    body = text.slice('WEBVTT\n'.length).replace(/^\n/, '');
  }
  if (!body) return [];
  assert.ok(body.endsWith('\n') && !body.endsWith('\n\n'), 'the file ends with one newline');
  const timing =
    kind === 'srt'
      ? /^(\d{2}):(\d{2}):(\d{2}),(\d{3}) --> (\d{2}):(\d{2}):(\d{2}),(\d{3})$/
      : /^(\d{2}):(\d{2}):(\d{2})\.(\d{3}) --> (\d{2}):(\d{2}):(\d{2})\.(\d{3})$/;
  return body
    .slice(0, -1)
    .split('\n\n')
    .map((block, i) => {
      const [index, times, ...lines] = block.split('\n');
      assert.equal(index, String(i + 1), `cue ${i + 1}: index line`);
      const m = timing.exec(times);
      assert.ok(m, `cue ${i + 1}: timing line "${times}"`);
      assert.ok(lines.length > 0 && lines.every((l) => l.trim()), `cue ${i + 1}: non-empty text lines`);
      return {
        index: i + 1,
        startMs: toMs(m[1], m[2], m[3], m[4]),
        endMs: toMs(m[5], m[6], m[7], m[8]),
        text: lines.join('\n'),
      };
    });
}

function assertMonotonic(cues: ParsedCue[], what: string): void {
  cues.forEach((c, i) => {
    assert.ok(c.endMs > c.startMs, `${what} cue ${c.index}: ends after it starts`);
    if (i > 0)
      assert.ok(c.startMs >= cues[i - 1].endMs, `${what} cue ${c.index}: starts after the previous ends`);
  });
}

describe('olt CLI end to end against a running stack', () => {
  let stack: LocalStack;
  let dir: string;
  const wav = speechFixture('two-sentences.wav').path;

  before(async () => {
    stack = await startLocalStack({ apiKeys: { cli: KEY } });
    dir = mkdtempSync(join(tmpdir(), 'olt-cli-'));
  });
  after(async () => {
    await stack?.stop();
  });

  test('stream writes valid SRT and WebVTT per language, matching the finals it printed', async () => {
    const srt = join(dir, 'out.srt');
    const vtt = join(dir, 'out.vtt');
    const run = await olt([
      'stream',
      wav,
      '--server',
      stack.grpcAddress,
      '--key',
      KEY,
      '--targets',
      'es,fr',
      '--source',
      'en',
      '--fast',
      '--srt',
      srt,
      '--vtt',
      vtt,
    ]);
    assert.equal(run.code, 0, run.stderr);
    const printed = run.stdout.split('\n').filter((l) => /^\[\d{2}:\d{2}:\d{2}\.\d{3}\] en: /.test(l));
    assert.ok(printed.length >= 1, `finals printed on stdout:\n${run.stdout}`);
    for (const [suffix, lang] of [
      ['', 'en'],
      ['.es', 'es'],
      ['.fr', 'fr'],
    ]) {
      const srtCues = parseCues(readFileSync(join(dir, `out${suffix}.srt`), 'utf8'), 'srt');
      const vttCues = parseCues(readFileSync(join(dir, `out${suffix}.vtt`), 'utf8'), 'vtt');
      assert.equal(srtCues.length, printed.length, `${lang}: one cue per final`);
      assertMonotonic(srtCues, `out${suffix}.srt`);
      assert.deepEqual(
        vttCues.map((c) => [c.startMs, c.endMs]),
        srtCues.map((c) => [c.startMs, c.endMs]),
        'same timings in both formats',
      );
    }
    const srtCues = parseCues(readFileSync(srt, 'utf8'), 'srt');
    assert.deepEqual(
      srtCues.map((c) => c.text),
      printed.map((l) => l.replace(/^\[[^\]]+\] en: /, '')),
    );
    // The fixture's speech lies between 0.25 s and 6.7 s.
    assert.ok(srtCues[0].startMs >= 0 && srtCues[srtCues.length - 1].endMs <= 8000);
    assert.match(run.stderr, /olt: done: 7\.0 s of audio, \d+ finals, session [\w-]+; wrote /);
  });

  test('stream reads raw PCM from stdin and FLAC through ffmpeg', async (t) => {
    const pcm = readFileSync(wav).subarray(44);
    const raw = await olt(
      [
        'stream',
        '-',
        '--format',
        's16le',
        '--rate',
        '16000',
        '--channels',
        '1',
        '--server',
        stack.grpcAddress,
        '--key',
        KEY,
        '--source',
        'en',
        '--srt',
        join(dir, 'stdin.srt'),
      ],
      pcm,
    );
    assert.equal(raw.code, 0, raw.stderr);
    assert.ok(parseCues(readFileSync(join(dir, 'stdin.srt'), 'utf8'), 'srt').length >= 1);
    if (flacSkip) return t.skip(flacSkip);
    const flac = join(dir, 'speech.flac');
    assert.equal(spawnSync('ffmpeg', ['-loglevel', 'error', '-y', '-i', wav, flac]).status, 0);
    const run = await olt([
      'stream',
      flac,
      '--server',
      stack.grpcAddress,
      '--key',
      KEY,
      '--source',
      'en',
      '--fast',
      '--vtt',
      join(dir, 'flac.vtt'),
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(parseCues(readFileSync(join(dir, 'flac.vtt'), 'utf8'), 'vtt').length >= 1);
  });

  test('exit codes and messages: bad key 3, bad file 5, unknown language 2, no gateway 4', async () => {
    const badKey = await olt(['stream', wav, '--server', stack.grpcAddress, '--key', 'wrong', '--fast']);
    assert.equal(badKey.code, 3);
    assert.match(badKey.stderr, /^olt: auth: UNAUTHENTICATED: /m);

    const notWav = join(dir, 'notes.wav');
    writeFileSync(notWav, 'this is not audio');
    const badFile = await olt(['stream', notWav, '--server', stack.grpcAddress, '--key', KEY, '--fast']);
    assert.equal(badFile.code, 5);
    assert.match(badFile.stderr, /^olt: input: .*notes\.wav is not a WAV file/m);
    const missing = await olt(['stream', join(dir, 'nope.wav'), '--server', stack.grpcAddress, '--fast']);
    assert.equal(missing.code, 5);
    assert.match(missing.stderr, /^olt: input: cannot read .*nope\.wav: no such file$/m);

    const badLang = await olt([
      'stream',
      wav,
      '--server',
      stack.grpcAddress,
      '--key',
      KEY,
      '--targets',
      'xx-notalanguage',
      '--fast',
    ]);
    assert.equal(badLang.code, 2);
    assert.match(badLang.stderr, /^olt: usage: INVALID_ARGUMENT: /m);

    const noGateway = await olt(['languages', '--server', '127.0.0.1:1']);
    assert.equal(noGateway.code, 4);
    assert.match(
      noGateway.stderr,
      /^olt: server: UNAVAILABLE: .*is the gateway running at 127\.0\.0\.1:1\?/m,
    );

    const usage = await olt(['stream', wav, '--no-such-flag']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /^olt: usage: Unknown option '--no-such-flag'/m);
  });

  test('translate and languages', async () => {
    const tr = await olt([
      'translate',
      'hello world',
      '--to',
      'es,fr',
      '--from',
      'en',
      '--server',
      stack.grpcAddress,
      '--key',
      KEY,
    ]);
    assert.equal(tr.code, 0, tr.stderr);
    assert.match(tr.stdout, /^es: .+\nfr: .+\n$/);
    const langs = await olt(['languages', '--server', stack.grpcAddress, '--key', KEY, '--json']);
    assert.equal(langs.code, 0, langs.stderr);
    const list = JSON.parse(langs.stdout) as { code: string }[];
    assert.ok(list.some((l) => l.code === 'es'));
  });

  test(
    '--obs shows the latest translation in a real OBS text source',
    { skip: needsProgram('obs', 'CLI --obs into a real OBS text source') },
    async () => {
      const obs = await startHeadlessObs();
      try {
        const run = await olt([
          'stream',
          wav,
          '--server',
          stack.grpcAddress,
          '--key',
          KEY,
          '--targets',
          'es',
          '--source',
          'en',
          '--fast',
          '--obs',
          obs.url,
          '--obs-password',
          obs.password,
          '--obs-source',
          'Subtitles',
        ]);
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stderr, /olt: obs: connected to OBS at ws:\/\/127\.0\.0\.1:\d+/);
        const lastEs = run.stdout
          .split('\n')
          .filter((l) => /\] es: /.test(l))
          .pop()
          ?.replace(/^\[[^\]]+\] es: /, '');
        assert.ok(lastEs, run.stdout);
        const probe = new ObsWebSocketSocket();
        await probe.connect(obs.url, obs.password);
        const settings = (await probe.call('GetInputSettings', { inputName: 'Subtitles' })).inputSettings as {
          text: string;
        };
        await probe.disconnect();
        assert.equal(settings.text, lastEs);
      } finally {
        await obs.dispose();
      }
    },
  );

  test('the compiled bin has a shebang so npm can link it as `olt`', () => {
    assert.ok(existsSync(MAIN));
    assert.match(readFileSync(MAIN, 'utf8'), /^#!\/usr\/bin\/env node\n/);
  });
});
