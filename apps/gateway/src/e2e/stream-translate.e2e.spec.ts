import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import {
  bearer,
  createLiveTranslateClient,
  readWav,
  speechFixture,
  startLocalStack,
  streamAudio,
  toPcm,
  type LocalStack,
} from '@olt/devkit';
import type { LiveTranslateClient, StreamResponse__Output } from '@olt/shared';
import { contractViolations } from './stream-helpers';

const API_KEY = 'e2e-key';

/** Mixes interleaved channels down and resamples linearly: only to produce a differently-encoded copy. */
function toStereo48k(mono16k: Float32Array): Float32Array {
  const outLen = Math.floor((mono16k.length * 48000) / 16000);
  const out = new Float32Array(outLen * 2);
  for (let i = 0; i < outLen; i++) {
    const pos = (i * 16000) / 48000;
    const j = Math.floor(pos);
    const frac = pos - j;
    const v = (mono16k[j] ?? 0) * (1 - frac) + (mono16k[j + 1] ?? 0) * frac;
    out[2 * i] = v;
    out[2 * i + 1] = v;
  }
  return out;
}

describe('StreamTranslate end to end (gateway + ASR worker + translate worker as processes, real Redis)', () => {
  let stack: LocalStack;
  let client: LiveTranslateClient;

  before(async () => {
    stack = await startLocalStack({
      apiKeys: { e2e: API_KEY },
      settings: { gateway: { drain_timeout_ms: 1000 } },
    });
    client = createLiveTranslateClient(stack.grpcAddress);
  });

  after(async () => {
    client?.close();
    await stack?.stop();
  });

  it('streams a speech WAV faster than real time and receives, in order, events, finals and a translation per target', async () => {
    const fixture = speechFixture('two-sentences.wav');
    const wav = readWav(fixture.path);
    const outcome = await streamAudio(client, {
      apiKey: API_KEY,
      config: {
        audio: { encoding: 'LINEAR16', sampleRateHz: wav.sampleRate, channels: 1 },
        sourceLanguage: 'en',
        targetLanguages: ['es', 'fr'],
      },
      pcm: wav.data,
      realtimeFactor: 8,
    });
    assert.equal(outcome.error, undefined, outcome.error?.details);
    assert.deepEqual(contractViolations(outcome.responses, ['es', 'fr']), []);

    const finals = outcome.responses.filter((r) => r.transcript?.isFinal).map((r) => r.transcript!);
    assert.equal(finals.length, fixture.utterances.length, 'one final transcript per spoken sentence');
    finals.forEach((t, i) => {
      const u = fixture.utterances[i];
      assert.ok(
        Math.abs(Number(t.startMs) - u.startMs) < 400,
        `segment ${i} starts near ${u.startMs} ms (got ${t.startMs})`,
      );
      assert.ok(
        Math.abs(Number(t.endMs) - u.endMs) < 700,
        `segment ${i} ends near ${u.endMs} ms (got ${t.endMs})`,
      );
      assert.equal(t.language, 'en');
    });
    // The generated test models are deterministic: these texts are what the real decoding code produces.
    const texts = finals.map((t) => t.text);
    const translations = outcome.responses
      .filter((r) => r.translation)
      .map(
        (r) =>
          `${r.translation!.segmentId.split(':').pop()} ${r.translation!.targetLanguage}: ${r.translation!.text}`,
      )
      .sort();
    assert.deepEqual({ texts, translations }, EXPECTED_TWO_SENTENCES);
  });

  it('accepts 48 kHz stereo FLOAT32 and finds the same two segments', async () => {
    const fixture = speechFixture('two-sentences.wav');
    const wav = readWav(fixture.path);
    const pcm = toPcm(toStereo48k(wav.samples), 'FLOAT32');
    const outcome = await streamAudio(client, {
      apiKey: API_KEY,
      config: {
        audio: { encoding: 'FLOAT32', sampleRateHz: 48000, channels: 2 },
        sourceLanguage: 'en',
        targetLanguages: ['de', 'ja'],
      },
      pcm,
    });
    assert.equal(outcome.error, undefined, outcome.error?.details);
    assert.deepEqual(contractViolations(outcome.responses, ['de', 'ja']), []);
    assert.equal(outcome.responses.filter((r) => r.transcript?.isFinal).length, 2);
  });

  it('resume_from_ms offsets all times and a second stream of the same text is answered from the cache', async () => {
    const wav = readWav(speechFixture('hello.wav').path);
    // Two sessions: a resume of the same session would carry its last final on as the prompt, and the
    // test model's text depends on the prompt (that carry-over is checked in stream-session.spec.ts).
    const run = (resumeFromMs: number, sessionId: string) =>
      streamAudio(client, {
        apiKey: API_KEY,
        config: {
          sessionId,
          resumeFromMs,
          audio: { encoding: 'LINEAR16', sampleRateHz: wav.sampleRate, channels: 1 },
          sourceLanguage: 'en',
          targetLanguages: ['es'],
        },
        pcm: wav.data,
      });
    const first = await run(0, 'resume-test-a');
    const second = await run(60_000, 'resume-test-b');
    const final = (o: { responses: StreamResponse__Output[] }) =>
      o.responses.find((r) => r.transcript?.isFinal)!.transcript!;
    assert.equal(Number(final(second).startMs) - Number(final(first).startMs), 60_000);
    assert.equal(final(second).text, final(first).text);
    const tr = (o: { responses: StreamResponse__Output[] }) =>
      o.responses.find((r) => r.translation)!.translation!;
    assert.equal(tr(first).fromCache, false);
    assert.equal(tr(second).fromCache, true);
    assert.equal(tr(second).text, tr(first).text);
  });

  it('TranslateText translates into several targets and ListLanguages lists what the deployment supports', async () => {
    const md = bearer(API_KEY);
    const res = await new Promise<{ translations: { targetLanguage: string; text: string }[] }>(
      (resolve, reject) =>
        client.translateText(
          { text: 'hello world', sourceLanguage: 'en', targetLanguages: ['es', 'spa_Latn', 'fr'] },
          md,
          (err, r) => (err ? reject(err) : resolve(r!)),
        ),
    );
    assert.deepEqual(
      res.translations.map((t) => t.targetLanguage),
      ['es', 'fr'],
      'es and spa_Latn are one target',
    );
    assert.ok(res.translations.every((t) => t.text.length > 0));

    const langs = await new Promise<{
      languages: { code: string; floresCode: string; asrSource: boolean; mtTarget: boolean }[];
    }>((resolve, reject) => client.listLanguages({}, md, (err, r) => (err ? reject(err) : resolve(r!))));
    const es = langs.languages.find((l) => l.code === 'es');
    assert.deepEqual(es && { flores: es.floresCode, asr: es.asrSource, mt: es.mtTarget }, {
      flores: 'spa_Latn',
      asr: true,
      mt: true,
    });
  });

  it('rejects a wrong API key with UNAUTHENTICATED', async () => {
    const wav = readWav(speechFixture('hello.wav').path);
    const outcome = await streamAudio(client, {
      apiKey: 'not-a-key',
      config: {
        audio: { encoding: 'LINEAR16', sampleRateHz: wav.sampleRate, channels: 1 },
        targetLanguages: ['es'],
      },
      pcm: wav.data.subarray(0, 3200),
    });
    assert.equal(outcome.error?.code, grpc.status.UNAUTHENTICATED);
    assert.match(outcome.error!.details, /API key/);
  });

  it('serves /healthz, /readyz with live workers, /metrics on the admin port only, and gRPC health', async () => {
    const ready = (await (await fetch(`${stack.httpUrl}/readyz`)).json()) as {
      ready: boolean;
      checks: Record<string, { ok: boolean }>;
      workers: Record<string, { alive: number }>;
    };
    assert.equal(ready.ready, true);
    assert.ok(ready.workers.asr.alive >= 1, 'live workers are reported (not required for readiness)');
    assert.equal((await fetch(`${stack.httpUrl}/healthz`)).status, 200);
    assert.equal((await fetch(`${stack.adminUrl}/healthz`)).status, 200);
    assert.equal((await fetch(`${stack.adminUrl}/readyz`)).status, 200);
    assert.equal(
      (await fetch(`${stack.httpUrl}/metrics`)).status,
      404,
      'no tenant metrics on the public port',
    );
    const metrics = await (await fetch(`${stack.adminUrl}/metrics`)).text();
    for (const name of [
      'olt_gateway_pipeline_latency_seconds_bucket',
      'olt_gateway_streams_total{',
      'olt_gateway_segments_total{',
    ]) {
      assert.ok(metrics.includes(name), `/metrics exports ${name}`);
    }

    const { HealthClient } = await import('./health-client');
    const status = await new HealthClient(stack.grpcAddress).check('livetranslate.v1.LiveTranslate');
    assert.equal(status, 'SERVING');
  });

  it('interim_results: agreed interims come before each final with increasing revisions and growing text; translations are final only', async () => {
    const fixture = speechFixture('two-sentences.wav');
    const wav = readWav(fixture.path);
    const outcome = await streamAudio(client, {
      apiKey: API_KEY,
      config: {
        audio: { encoding: 'LINEAR16', sampleRateHz: wav.sampleRate, channels: 1 },
        sourceLanguage: 'en',
        targetLanguages: ['es'],
        interimResults: true,
      },
      pcm: wav.data,
      // Real time: the gateway re-decodes the open segment once per second of its audio.
      realtimeFactor: 1,
    });
    assert.equal(outcome.error, undefined, outcome.error?.details);
    assert.deepEqual(contractViolations(outcome.responses, ['es']), []);
    const transcripts = outcome.responses.filter((r) => r.transcript).map((r) => r.transcript!);
    const finals = transcripts.filter((t) => t.isFinal);
    const interims = transcripts.filter((t) => !t.isFinal);
    assert.equal(finals.length, fixture.utterances.length);
    assert.ok(interims.length >= 1, 'at least one interim transcript');
    for (const t of interims) {
      assert.ok(t.text.length > 0 && t.stability > 0 && t.stability <= 1, JSON.stringify(t));
      const final = finals.find((f) => f.segmentId === t.segmentId)!;
      assert.ok(final.revision > t.revision);
      assert.equal(t.startMs, final.startMs, 'an interim starts where its segment starts');
    }
    assert.ok(
      outcome.responses.filter((r) => r.translation).every((r) => r.translation!.isFinal),
      'translations are sent for finals only',
    );
  });

  // Last: it shuts the gateway down.
  it('on SIGTERM an open stream is ended with UNAVAILABLE telling the client to resume', async () => {
    const ended = new Promise<grpc.ServiceError | undefined>((resolve) => {
      const call = client.streamTranslate(bearer(API_KEY));
      call.on('data', (r: StreamResponse__Output) => {
        if (r.started) stack.gateway.child.kill('SIGTERM');
      });
      call.on('error', (err: grpc.ServiceError) => resolve(err));
      call.on('end', () => resolve(undefined));
      call.write({
        config: {
          audio: { encoding: 'LINEAR16', sampleRateHz: 16000, channels: 1 },
          targetLanguages: ['es'],
        },
      });
    });
    const err = await ended;
    assert.equal(err?.code, grpc.status.UNAVAILABLE);
    assert.match(err!.details, /resume_from_ms/);
    // Nest re-raises the signal once its shutdown hooks are done: a clean exit reads as SIGTERM, not SIGKILL.
    const exit = await stack.gateway.waitForExit();
    assert.ok(exit.code === 0 || exit.signal === 'SIGTERM', `gateway exited with ${JSON.stringify(exit)}`);
  });
});

/**
 * Golden output of the generated test models for two-sentences.wav (en → es, fr). The second segment is
 * decoded with the first final as its prompt (prompt conditioning), which changes the tiny model's words.
 */
const EXPECTED_TWO_SENTENCES = {
  texts: ['word now each this up', 'right'],
  translations: [
    '3896 es: like many when did',
    '3896 fr: will all was they have',
    '88 es: how day write',
    '88 fr: look write day see what',
  ],
};
