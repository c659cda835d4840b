import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom } from '@olt/devkit/dist/testing';
import { AppError, type StreamConfig__Output } from '@olt/shared';
import { parseSessionSettings, type SettingsLimits } from './session-settings';

const limits: SettingsLimits = {
  maxTargets: 8,
  maxGlossaryTerms: 200,
  maxGlossaryTermChars: 200,
  minSampleRateHz: 8000,
  maxSampleRateHz: 192000,
  maxChannels: 8,
};

const base = (overrides: Record<string, unknown> = {}): StreamConfig__Output =>
  ({
    sessionId: '',
    resumeFromMs: 0,
    audio: { encoding: 'LINEAR16', sampleRateHz: 16000, channels: 1 },
    sourceLanguage: 'en',
    targetLanguages: ['es'],
    interimResults: false,
    endpointing: null,
    priority: 'NORMAL',
    glossary: [],
    maskProfanity: false,
    obsOutputs: [],
    ...overrides,
  }) as unknown as StreamConfig__Output;

const parse = (cfg: StreamConfig__Output) => parseSessionSettings(cfg, limits, () => 'generated-id');

function invalid(cfg: StreamConfig__Output, message: RegExp): void {
  assert.throws(
    () => parse(cfg),
    (e: unknown) => e instanceof AppError && e.code === 'INVALID_ARGUMENT' && message.test(e.message),
  );
}

describe('StreamConfig validation', () => {
  it('refuses an unknown priority number instead of failing every job later', () => {
    invalid(base({ priority: 5 }), /priority = 5 is not a known priority/);
    invalid(base({ priority: 99 }), /priority = 99/);
    assert.equal(parse(base({ priority: 'PRIORITY_UNSPECIFIED' })).priority, 'NORMAL');
    assert.equal(parse(base({ priority: 'CRITICAL' })).priority, 'CRITICAL');
  });

  it('treats a zero audio field as not set and refuses it, like sample_rate_hz', () => {
    invalid(
      base({ audio: { encoding: 'LINEAR16', sampleRateHz: 16000, channels: 0 } }),
      /channels = 0 \(not set\)/,
    );
    invalid(base({ audio: { encoding: 'LINEAR16', sampleRateHz: 0, channels: 1 } }), /sample_rate_hz = 0/);
  });

  it('refuses a negative or absurd resume_from_ms', () => {
    invalid(base({ resumeFromMs: -1 }), /resume_from_ms = -1/);
    invalid(base({ resumeFromMs: 2 ** 62 }), /resume_from_ms/);
    assert.equal(parse(base({ resumeFromMs: 90_000 })).resumeFromMs, 90_000);
  });

  it('holds the glossary to the same limits as TranslateText', () => {
    const terms = (n: number) => Array.from({ length: n }, (_, i) => ({ source: `t${i}`, target: '' }));
    invalid(base({ glossary: terms(201) }), /StreamConfig.glossary has 201 entries; at most 200/);
    invalid(base({ glossary: [{ source: 'x'.repeat(201), target: '' }] }), /longer than 200 characters/);
    assert.equal(parse(base({ glossary: terms(200) })).glossary.length, 200);
  });

  it('answers megabyte language codes and thousands of targets at once, without echoing them whole', () => {
    const huge = 'x'.repeat(1 << 20);
    for (const cfg of [
      base({ sourceLanguage: huge }),
      base({ targetLanguages: [huge] }),
      base({ targetLanguages: Array.from({ length: 100_000 }, (_, i) => `zz${i}`) }),
    ]) {
      const started = performance.now();
      assert.throws(
        () => parse(cfg),
        (e: unknown) => e instanceof AppError && e.code === 'INVALID_ARGUMENT' && e.message.length < 600,
      );
      assert.ok(performance.now() - started < 500, 'refused before any per-code work');
    }
  });

  it('maps every generated config to settings or INVALID_ARGUMENT/FAILED_PRECONDITION with a short message', () => {
    // Seeded: reproducible; a failure prints its seed and input.
    const seed = 0x5eed;
    const rand = seededRandom(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
    const ints = [0, 1, -1, 2, 7, 99, 8000, 16000, 44100, 192000, 192001, 2 ** 31 - 1, -(2 ** 31), 2 ** 53];
    const strings = [
      '',
      'auto',
      'en',
      'es',
      'spa_Latn',
      'zh-Hant-TW',
      'xx',
      ' ',
      '\u0000',
      'é'.repeat(50),
      'a:b',
    ];
    const enumish = (names: string[]) => [...names, ...ints, null, undefined];
    for (let i = 0; i < 2000; i++) {
      const cfg = base({
        sessionId: pick([...strings, 'ok-id', 's'.repeat(129)]),
        resumeFromMs: pick(ints),
        audio: pick([
          null,
          {
            encoding: pick(enumish(['LINEAR16', 'FLOAT32', 'ENCODING_UNSPECIFIED'])),
            sampleRateHz: pick(ints),
            channels: pick(ints),
          },
        ]),
        sourceLanguage: pick(strings),
        targetLanguages: Array.from({ length: pick([0, 1, 3, 9, 300]) }, () => pick(strings)),
        endpointing: pick([null, { silenceMs: pick(ints), maxSegmentMs: pick(ints) }]),
        priority: pick(enumish(['LOW', 'NORMAL', 'HIGH', 'CRITICAL', 'PRIORITY_UNSPECIFIED'])),
        glossary: Array.from({ length: pick([0, 1, 201]) }, () => ({
          source: pick(strings),
          target: pick(strings),
        })),
      });
      try {
        const s = parse(cfg);
        assert.ok(['LOW', 'NORMAL', 'HIGH', 'CRITICAL'].includes(s.priority), `priority ${s.priority}`);
        assert.ok(s.audio.channels >= 1 && s.audio.sampleRateHz >= 8000, JSON.stringify(s.audio));
        assert.ok(Number.isSafeInteger(s.resumeFromMs) && s.resumeFromMs >= 0);
        assert.ok(s.targets.length <= limits.maxTargets);
      } catch (e) {
        const ok =
          e instanceof AppError &&
          (e.code === 'INVALID_ARGUMENT' || e.code === 'FAILED_PRECONDITION') &&
          e.message.length > 0 &&
          e.message.length < 2000;
        assert.ok(ok, `input #${i}: ${JSON.stringify(cfg).slice(0, 400)} → ${String(e)}`);
      }
    }
  });
});
