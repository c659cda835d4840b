/**
 * The `olt` CLI as a user runs it (a separate process, dist/main.js) against the whole stack started by
 * @olt/devkit (gateway + workers + real Redis, generated test models), the gateway serving TLS with a test
 * CA made by openssl for this run: caption files validate, exit codes and messages are the documented
 * ones, Ctrl+C finishes the open segment, a renewed certificate is served without a restart, and --obs
 * drives a real headless OBS when one is installed.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { connect as tlsConnect } from 'node:tls';
import { speechFixture, startLocalStack, type LocalStack } from '@olt/devkit';
import { startHeadlessObs } from '@olt/devkit/dist/obs';
import { makeTestCertificates, needsProgram, type TestCertificates } from '@olt/devkit/dist/testing';
import { ObsWebSocketSocket } from '@olt/shared/dist/obs';

const flacSkip = needsProgram('ffmpeg', 'CLI FLAC input and device capture through ffmpeg');
const opensslSkip = needsProgram('openssl', 'CLI and gateway over TLS with a test CA');

const MAIN = join(__dirname, '..', 'main.js');
const KEY = 'cli-test-key';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs olt; the API key comes from the environment unless `env` says otherwise. */
function olt(
  args: string[],
  stdin?: Buffer,
  env: Record<string, string> = { OLT_API_KEY: KEY },
): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, OLT_API_KEY: '', ...env },
    });
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

describe('olt --help and --version per command (no gateway needed)', () => {
  for (const command of ['stream', 'translate', 'languages']) {
    test(`olt ${command} --help lists its own options and exits 0`, async () => {
      const run = await olt([command, '--help']);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, new RegExp(`^Usage: olt ${command} `));
      assert.match(run.stdout, /--server <host:port>/);
      assert.match(run.stdout, /--ca <file>/);
      if (command === 'stream') assert.match(run.stdout, /--device <format:name>[\s\S]*pulse:default/);
      else assert.doesNotMatch(run.stdout, /--srt/);
      const version = await olt([command, '--version']);
      assert.equal(version.code, 0);
      assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
    });
  }
  test('olt with no command prints the command list and exits 2', async () => {
    const run = await olt([]);
    assert.equal(run.code, 2);
    assert.match(run.stdout, /stream \[options\] \[input\]/);
  });
});

/** The certificate a TLS listener presents, and whether it verifies against `ca` for 127.0.0.1. */
function peerCertificate(
  port: string,
  ca: string,
  alpn: string,
): Promise<{ serial: string; authorized: boolean; error?: string }> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect(
      {
        host: '127.0.0.1',
        port: Number(port),
        ca: readFileSync(ca),
        ALPNProtocols: [alpn],
        rejectUnauthorized: false,
      },
      () => {
        const serial = socket.getPeerCertificate().serialNumber;
        resolve({ serial, authorized: socket.authorized, error: socket.authorizationError?.message });
        socket.end();
      },
    );
    socket.once('error', reject);
  });
}

describe('olt CLI end to end against a running stack over TLS', { skip: opensslSkip }, () => {
  let stack: LocalStack;
  let dir: string;
  let certs: TestCertificates;
  /** --server plus the test CA: what every command that reaches the gateway needs. */
  let gw: string[];
  const wav = speechFixture('two-sentences.wav').path;

  before(async () => {
    certs = makeTestCertificates(['localhost', '127.0.0.1']);
    dir = mkdtempSync(join(tmpdir(), 'olt-cli-'));
    // The gateway watches copies, so the reload test can replace them.
    const certFile = join(dir, 'gateway.pem');
    const keyFile = join(dir, 'gateway.key');
    copyFileSync(certs.certFile, certFile);
    copyFileSync(certs.keyFile, keyFile);
    stack = await startLocalStack({
      apiKeys: { cli: KEY },
      tls: { certFile, keyFile, reloadIntervalMs: 200 },
    });
    gw = ['--server', stack.grpcAddress, '--ca', certs.caFile];
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
      ...gw,
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
        ...gw,
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
      ...gw,
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
    // --key still works (and wins over the environment).
    const badKey = await olt(['stream', wav, ...gw, '--key', 'wrong', '--fast']);
    assert.equal(badKey.code, 3);
    assert.match(badKey.stderr, /^olt: auth: UNAUTHENTICATED: /m);

    const notWav = join(dir, 'notes.wav');
    writeFileSync(notWav, 'this is not audio');
    const badFile = await olt(['stream', notWav, ...gw, '--fast']);
    assert.equal(badFile.code, 5);
    assert.match(badFile.stderr, /^olt: input: .*notes\.wav is not a WAV file/m);
    const missing = await olt(['stream', join(dir, 'nope.wav'), ...gw, '--fast']);
    assert.equal(missing.code, 5);
    assert.match(missing.stderr, /^olt: input: cannot read .*nope\.wav: no such file$/m);

    const badLang = await olt(['stream', wav, ...gw, '--targets', 'xx-notalanguage', '--fast']);
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
    assert.match(usage.stderr, /^olt: usage: unknown option '--no-such-flag' \(olt stream --help/m);
    // A flag of another command is not silently accepted.
    const otherCommand = await olt(['languages', '--targets', 'es', ...gw]);
    assert.equal(otherCommand.code, 2);
    assert.match(otherCommand.stderr, /^olt: usage: unknown option '--targets'/m);
  });

  test('translate and languages', async () => {
    const tr = await olt(['translate', 'hello world', '--to', 'es,fr', '--from', 'en', ...gw]);
    assert.equal(tr.code, 0, tr.stderr);
    assert.match(tr.stdout, /^es: .+\nfr: .+\n$/);
    const langs = await olt(['languages', ...gw, '--json']);
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
          ...gw,
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

  test('the key comes from OLT_API_KEY or --key-file; without one the gateway answers UNAUTHENTICATED', async () => {
    const keyFile = join(dir, 'api-key');
    writeFileSync(keyFile, `${KEY}\n`);
    const translate = ['translate', 'hello', '--to', 'es', '--from', 'en', ...gw];
    const fromFile = await olt([...translate, '--key-file', keyFile], undefined, {});
    assert.equal(fromFile.code, 0, fromFile.stderr);
    const fromEnv = await olt(translate);
    assert.equal(fromEnv.code, 0, fromEnv.stderr);
    const none = await olt(translate, undefined, {});
    assert.equal(none.code, 3, none.stderr);
  });

  test('TLS: the CA is checked, --server-name names the certificate, plain text to a TLS port fails', async () => {
    const byName = await olt(['languages', ...gw, '--server-name', 'localhost']);
    assert.equal(byName.code, 0, byName.stderr);
    const wrongName = await olt(['languages', ...gw, '--server-name', 'other.example']);
    assert.equal(wrongName.code, 4, wrongName.stderr);
    const systemCas = await olt(['languages', '--server', stack.grpcAddress, '--tls']);
    assert.equal(systemCas.code, 4, 'a certificate from an unknown CA is refused');
    const plain = await olt(['languages', '--server', stack.grpcAddress, '--plaintext']);
    assert.equal(plain.code, 4);
    const both = await olt(['languages', '--server', stack.grpcAddress, '--plaintext', '--tls']);
    assert.equal(both.code, 2);
    // HTTPS on the public port with the same certificate.
    const served = await peerCertificate(new URL(stack.httpUrl).port, certs.caFile, 'http/1.1');
    assert.ok(served.authorized, served.error);
  });

  test('an unwritable caption file exits 6 with one line, before any audio is sent', async () => {
    const run = await olt(['stream', wav, ...gw, '--fast', '--srt', join(dir, 'no-such-dir', 'out.srt')]);
    assert.equal(run.code, 6, run.stderr);
    assert.match(run.stderr, /^olt: output: cannot write .*no-such-dir\/out\.srt: ENOENT/m);
    assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
  });

  test("Ctrl+C mid-segment half-closes: that segment's final is in the SRT and the exit is 0", async () => {
    const srt = join(dir, 'interrupted.srt');
    // 2.5 s of the fixture: the first sentence (from 0.25 s) is still going when the input stops.
    const pcm = readFileSync(wav).subarray(44, 44 + 2.5 * 16000 * 2);
    const child = spawn(
      process.execPath,
      [
        MAIN,
        'stream',
        '-',
        '--format',
        's16le',
        '--rate',
        '16000',
        '--channels',
        '1',
        ...gw,
        '--source',
        'en',
        '--json',
        '--srt',
        srt,
      ],
      { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, OLT_API_KEY: KEY } },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const speechStarted = new Promise<void>((resolve) =>
      child.stdout.on('data', (b: Buffer) => {
        stdout += b.toString();
        if (stdout.includes('SPEECH_START')) resolve();
      }),
    );
    // stdin stays open: only the interrupt can end the input.
    child.stdin.write(pcm);
    await speechStarted;
    assert.doesNotMatch(stdout, /"isFinal":true/, 'no final before the interrupt');
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    assert.equal(code, 0, stderr);
    assert.match(stderr, /olt: stopping: finishing the open segment/);
    assert.match(stderr, /olt: stopped: 2\.5 s of audio, 1 finals/);
    const cues = parseCues(readFileSync(srt, 'utf8'), 'srt');
    const final = stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { transcript?: { isFinal: boolean; text: string } })
      .find((r) => r.transcript?.isFinal)?.transcript;
    assert.ok(final?.text, `a final for the open segment:\n${stdout}`);
    assert.deepEqual(
      cues.map((c) => c.text),
      [final.text],
    );
    assert.ok(cues[0].startMs < 2500);
  });

  test('a renewed certificate is served to new connections without a restart', async () => {
    const before = await peerCertificate(stack.grpcAddress.split(':')[1], certs.caFile, 'h2');
    const renewed = certs.renew('renewed');
    // As a Secret update does it: new files replace the watched ones (key first: a half-renewed pair is skipped).
    copyFileSync(renewed.keyFile, join(dir, 'gateway.key'));
    copyFileSync(renewed.certFile, join(dir, 'gateway.pem'));
    const deadline = Date.now() + 10_000;
    let after = before;
    while (after.serial === before.serial && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      after = await peerCertificate(stack.grpcAddress.split(':')[1], certs.caFile, 'h2');
    }
    assert.notEqual(after.serial, before.serial, 'gRPC serves the renewed certificate');
    assert.ok(after.authorized, after.error);
    const https = await peerCertificate(new URL(stack.httpUrl).port, certs.caFile, 'http/1.1');
    assert.equal(https.serial, after.serial, 'HTTPS serves it too');
    const run = await olt(['languages', ...gw]);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(stack.gateway.running, 'same gateway process');
  });

  test('capture from a device through ffmpeg (lavfi playing the fixture stands in for a microphone)', async (t) => {
    if (flacSkip) return t.skip(flacSkip);
    const srt = join(dir, 'device.srt');
    const run = await olt([
      'stream',
      '--device',
      `lavfi:amovie=${wav}`,
      ...gw,
      '--source',
      'en',
      '--srt',
      srt,
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /olt: done: 7\.0 s of audio/);
    assert.ok(parseCues(readFileSync(srt, 'utf8'), 'srt').length >= 1);
    const bad = await olt(['stream', '--device', 'lavfi:no_such_filter', ...gw]);
    assert.equal(bad.code, 5);
    assert.match(bad.stderr, /^olt: input: ffmpeg cannot read lavfi device no_such_filter: /m);
  });

  test('the compiled bin has a shebang so npm can link it as `olt`', () => {
    assert.ok(existsSync(MAIN));
    assert.match(readFileSync(MAIN, 'utf8'), /^#!\/usr\/bin\/env node\n/);
  });
});
