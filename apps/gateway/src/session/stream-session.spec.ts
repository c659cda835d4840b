import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import pino from 'pino';
import { Registry } from 'prom-client';
import {
  AppError,
  loadConfig,
  Metrics,
  resourceExhausted,
  unavailable,
  type AppConfig,
  type AsrReply,
  type DeepPartial,
  type StreamRequest__Output,
  type StreamResponse,
  type StreamResponse__Output,
} from '@olt/shared';
import type { AsrTranscriber, TranscribeRequest } from '../asr';
import { AudioPipeline, type Vad } from '../audio';
import { contractViolations } from '../e2e/stream-helpers';
import type { TranslationService } from '../translate/translation.service';
import { policySettings } from './audio-pipeline.factory';
import { InterimBudget } from './interim-budget';
import type { ResumeContext } from './session-fanout';
import { StreamSession, type StreamCall } from './stream-session';

const RATE = 16000;
const CHUNK_MS = 100;

/** Test double of the Vad port: speech wherever the frame has energy (the signals here are tones and zeros). */
class EnergyVad implements Vad {
  async process(frame: Float32Array): Promise<number> {
    let sum = 0;
    for (const v of frame) sum += v * v;
    return Math.sqrt(sum / frame.length) > 0.01 ? 0.95 : 0.02;
  }
  reset(): void {}
}

/**
 * Fake of the AsrTranscriber port (what AsrDispatcher does through Redis and a worker). Its "model" hears
 * one word per 300 ms of audio; the last word of a decode is still uncertain (it changes with the audio
 * length), as a real model's is. Replies come back on the next turn of the event loop unless held.
 */
class FakeAsrDispatcher implements AsrTranscriber {
  readonly requests: Array<TranscribeRequest & { finalsOutstanding: number }> = [];
  private outstandingFinals = 0;
  holdFinals = false;
  /** Every final rejects with this (the dispatcher's error: queue down, timeout, …). */
  failFinals?: Error;
  private held: Array<() => void> = [];
  detected = { language: 'en', probability: 0.95 };

  transcribe(req: TranscribeRequest): Promise<AsrReply> {
    this.requests.push({ ...req, audio: new Float32Array(0), finalsOutstanding: this.outstandingFinals });
    if (req.isFinal && this.failFinals) return Promise.reject(this.failFinals);
    if (req.isFinal) this.outstandingFinals++;
    const words = Math.floor(req.audio.length / (0.3 * RATE));
    const heard = Array.from({ length: words }, (_, i) => `w${i}`);
    if (!req.isFinal && words > 0) heard[words - 1] = `maybe${req.audio.length % 7}`;
    const reply: AsrReply = {
      kind: 'asr',
      requestId: `${req.segmentId}/${req.revision}`,
      sessionId: req.sessionId,
      segmentId: req.segmentId,
      revision: req.revision,
      isFinal: req.isFinal,
      ok: true,
      text: heard.join(' '),
      language: req.language ?? this.detected.language,
      languageProbability: req.language ? 1 : this.detected.probability,
      confidence: 0.8,
      model: 'fake',
      workerId: 'fake',
      startMs: req.startMs,
      endMs: req.endMs,
      queueMs: 0,
      inferMs: 0,
    };
    return new Promise((resolve) => {
      const done = () => {
        if (req.isFinal) this.outstandingFinals--;
        resolve(reply);
      };
      if (req.isFinal && this.holdFinals) this.held.push(done);
      else setImmediate(done);
    });
  }

  release(): void {
    for (const done of this.held.splice(0)) setImmediate(done);
  }
}

/** The gRPC call as the session sees it: messages in through emit('data'), responses collected. */
class FakeCall extends EventEmitter implements StreamCall {
  readonly responses: StreamResponse__Output[] = [];
  readonly ended: Promise<void>;
  /** The status the session ended the call with, if it failed it. */
  status?: { code: number; details: string };
  paused = false;
  /** A client that stopped reading: every write fills the transport and 'drain' never comes. */
  stopReading = false;
  private markEnded!: () => void;
  constructor() {
    super();
    this.ended = new Promise((r) => (this.markEnded = r));
    this.on('error', (status: { code: number; details: string }) => {
      this.status = status;
      this.markEnded();
    });
  }
  write(message: StreamResponse): boolean {
    this.responses.push(message as StreamResponse__Output);
    return !this.stopReading;
  }
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }
  end(): void {
    this.markEnded();
  }
}

const configDir = mkdtempSync(join(tmpdir(), 'olt-session-spec-'));
after(() => rmSync(configDir, { recursive: true, force: true }));

function config(overrides: DeepPartial<AppConfig> = {}): AppConfig {
  const file = join(configDir, 'empty.toml');
  writeFileSync(file, '');
  return loadConfig({ file, env: {}, overrides: { redis: { queueUrl: 'redis://unused' }, ...overrides } });
}

/** Speech (a tone) and silence, in seconds. */
function signal(parts: Array<['speech' | 'silence', number]>): Float32Array {
  const total = parts.reduce((n, [, s]) => n + Math.round(s * RATE), 0);
  const out = new Float32Array(total);
  let at = 0;
  for (const [kind, seconds] of parts) {
    const n = Math.round(seconds * RATE);
    if (kind === 'speech')
      for (let i = 0; i < n; i++) out[at + i] = 0.3 * Math.sin((2 * Math.PI * 220 * i) / RATE);
    at += n;
  }
  return out;
}

const turn = () => new Promise((r) => setImmediate(r));

async function runSession(opts: {
  audio: Float32Array;
  streamConfig: Partial<NonNullable<StreamRequest__Output['config']>>;
  config?: DeepPartial<AppConfig>;
  asr?: FakeAsrDispatcher;
  /** Called after each chunk has been taken in (with the chunk index). */
  onChunk?: (index: number, asr: FakeAsrDispatcher) => void;
  clock?: { now: number };
  call?: FakeCall;
  /** Send all audio at once, as a client faster than real time does, instead of chunk by chunk. */
  burst?: boolean;
  /** Called after the end of audio was sent; the session ends when this and the call are done. */
  afterEnd?: (asr: FakeAsrDispatcher, call: FakeCall) => Promise<void>;
  /** A bug in the audio path: the pipeline throws this on the first chunk. */
  pipelineBug?: Error;
  /** What the subtitle feed knows of the session's earlier calls (a resume). */
  resumeContext?: (sessionId: string, resumeFromMs: number) => Promise<ResumeContext | undefined>;
  unexpected?: unknown[];
}) {
  const asr = opts.asr ?? new FakeAsrDispatcher();
  const cfg = config(opts.config);
  const call = opts.call ?? new FakeCall();
  let outcome: string | undefined;
  const clock = opts.clock ?? { now: 0 };
  const translateRequests: Array<Record<string, unknown>> = [];
  const session = new StreamSession(call, {
    tenant: { id: 't1', plan: 'pro', maxStreams: 10 },
    config: () => cfg,
    createPipeline: (settings) => {
      const pipeline = new AudioPipeline({
        format: { encoding: 'FLOAT32', sampleRateHz: RATE, channels: 1 },
        vad: new EnergyVad(),
        policy: policySettings(cfg.vad, settings),
      });
      if (opts.pipelineBug) pipeline.push = () => Promise.reject(opts.pipelineBug);
      return pipeline;
    },
    asr,
    translation: {
      translate: async (req: { text: string; target: string }) => {
        translateRequests.push(req);
        return { text: `${req.target}:${req.text}`, fromCache: false };
      },
    } as unknown as TranslationService,
    interimBudget: new InterimBudget(),
    now: () => clock.now,
    metrics: new Metrics(new Registry(), 'gateway'),
    logger: pino({ level: 'silent' }),
    newSessionId: () => 'sess',
    onClosed: (o) => (outcome = o),
    callId: 'call-1',
    reportUnexpected: (err) => opts.unexpected?.push(err),
    ...(opts.resumeContext
      ? {
          fanout: {
            opened: () => '',
            publish: () => undefined,
            closed: () => undefined,
            resumeContext: opts.resumeContext,
          },
        }
      : {}),
  });
  session.start();
  const send = (msg: Partial<StreamRequest__Output>) => call.emit('data', msg as StreamRequest__Output);
  send({
    request: 'config',
    config: {
      sessionId: '',
      resumeFromMs: 0,
      audio: { encoding: 'FLOAT32', sampleRateHz: RATE, channels: 1 },
      sourceLanguage: 'en',
      targetLanguages: [],
      interimResults: true,
      endpointing: null,
      priority: 'NORMAL',
      glossary: [],
      ...opts.streamConfig,
    } as unknown as StreamRequest__Output['config'],
  });
  const chunk = (CHUNK_MS * RATE) / 1000;
  for (let i = 0, n = 0; i < opts.audio.length; i += chunk, n++) {
    const samples = opts.audio.slice(i, i + chunk);
    send({ request: 'audio', audio: { data: Buffer.from(samples.buffer) } });
    if (opts.burst) continue;
    // Real time, compressed: each chunk is taken in and the fake worker answers before the next one.
    for (let k = 0; k < 4; k++) await turn();
    clock.now += CHUNK_MS;
    opts.onChunk?.(n, asr);
  }
  call.emit('end');
  await Promise.all([call.ended, opts.afterEnd?.(asr, call)]);
  return { responses: call.responses, asr, translateRequests, call, outcome };
}

const transcripts = (responses: StreamResponse__Output[]) =>
  responses.filter((r) => r.transcript).map((r) => r.transcript!);

describe('StreamSession streaming policy (real AudioPipeline, EnergyVad, FakeAsrDispatcher)', () => {
  const twoSegments = signal([
    ['silence', 0.5],
    ['speech', 3.2],
    ['silence', 1],
    ['speech', 2.5],
    ['silence', 1],
  ]);

  it('sends agreed interims between SPEECH_START and the final, with increasing revisions, and the final replaces them', async () => {
    const { responses, asr } = await runSession({
      audio: twoSegments,
      streamConfig: { targetLanguages: ['es'] },
    });
    assert.deepEqual(contractViolations(responses, ['es']), []);
    const byKind = transcripts(responses).map((t) => `${t.isFinal ? 'final' : 'interim'} r${t.revision}`);
    const finals = transcripts(responses).filter((t) => t.isFinal);
    assert.equal(finals.length, 2);
    const first = transcripts(responses).filter((t) => t.segmentId === finals[0].segmentId);
    const interims = first.filter((t) => !t.isFinal);
    assert.ok(interims.length >= 1, `interims before the first final: ${byKind.join(', ')}`);
    for (const t of interims) {
      assert.ok(!t.text.includes('maybe'), `"${t.text}" holds only words two decodes agreed on`);
      assert.ok(
        finals[0].text.startsWith(t.text),
        'the fake model agrees with itself: interims prefix the final',
      );
      assert.ok(t.stability > 0 && t.stability < 1);
    }
    assert.equal(finals[0].stability, 1);
    assert.ok(finals[0].revision > interims[interims.length - 1].revision);
    const tr = responses.find((r) => r.translation)!.translation!;
    assert.equal(tr.revision, finals[0].revision, "translations carry the final's revision");
    // Jobs: interims are isFinal=false and never sent while a final of the stream was outstanding.
    const interimJobs = asr.requests.filter((r) => !r.isFinal);
    assert.ok(interimJobs.length >= 2);
    assert.deepEqual(
      interimJobs.filter((r) => r.finalsOutstanding > 0).map((r) => r.revision),
      [],
      'no interim decode while a final is pending',
    );
  });

  it('passes the previous final as the prompt of the next jobs, decoding finals in order', async () => {
    const { asr } = await runSession({ audio: twoSegments, streamConfig: {} });
    const finals = asr.requests.filter((r) => r.isFinal);
    assert.equal(finals[0].prompt, undefined);
    assert.equal(finals[1].prompt, 'w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 w10');
    assert.equal(finals[1].finalsOutstanding, 0, "a stream's finals are decoded one after another");
    const secondSegmentInterims = asr.requests.filter(
      (r) => !r.isFinal && r.segmentId === finals[1].segmentId,
    );
    assert.ok(secondSegmentInterims.length > 0);
    assert.ok(secondSegmentInterims.every((r) => r.prompt === finals[1].prompt));
  });

  it('with interim_results off sends no interim decodes and the final keeps revision 1', async () => {
    const { responses, asr } = await runSession({
      audio: twoSegments,
      streamConfig: { interimResults: false },
    });
    assert.deepEqual(
      asr.requests.map((r) => [r.isFinal, r.revision]),
      [
        [true, 1],
        [true, 1],
      ],
    );
    assert.deepEqual(
      transcripts(responses).map((t) => t.revision),
      [1, 1],
    );
  });

  it('a final the service could not take sends SERVER_BUSY, one that failed otherwise WARNING; both send the empty final', async () => {
    const events = async (failure: Error) => {
      const asr = new FakeAsrDispatcher();
      asr.failFinals = failure;
      const { responses, outcome } = await runSession({
        audio: twoSegments,
        streamConfig: { interimResults: false },
        asr,
      });
      assert.equal(outcome, 'ok', 'the stream goes on');
      assert.deepEqual(
        transcripts(responses).map((t) => [t.isFinal, t.text]),
        [
          [true, ''],
          [true, ''],
        ],
      );
      assert.deepEqual(contractViolations(responses, []), []);
      return responses
        .filter((r) => r.event?.type === 'SERVER_BUSY' || r.event?.type === 'WARNING')
        .map((r) => r.event!.type);
    };
    const down = unavailable('the job queue (queue Redis) is failing (circuit "queue" open)');
    assert.deepEqual(await events(down), ['SERVER_BUSY', 'SERVER_BUSY']);
    assert.deepEqual(await events(resourceExhausted('no ASR capacity')), ['SERVER_BUSY', 'SERVER_BUSY']);
    assert.deepEqual(await events(new AppError('INTERNAL', 'model failed')), ['WARNING', 'WARNING']);
    assert.deepEqual(await events(new Error('no result within 120 s')), ['WARNING', 'WARNING']);
  });

  it('source "auto": detects until confident, then keeps the language in later jobs', async () => {
    const asr = new FakeAsrDispatcher();
    asr.detected = { language: 'es', probability: 0.93 };
    const { responses } = await runSession({
      audio: signal([
        ['speech', 1.5],
        ['silence', 1],
        ['speech', 1.5],
        ['silence', 1],
        ['speech', 1.5],
        ['silence', 1],
      ]),
      streamConfig: { sourceLanguage: 'auto' },
      asr,
    });
    const finalLanguages = asr.requests.filter((r) => r.isFinal).map((r) => r.language);
    assert.deepEqual(finalLanguages, [undefined, 'es', 'es']);
    const laterInterims = asr.requests.filter((r) => !r.isFinal && r.segmentId !== asr.requests[0].segmentId);
    assert.ok(laterInterims.length > 0 && laterInterims.every((r) => r.language === 'es'));
    assert.ok(
      transcripts(responses)
        .filter((t) => t.isFinal)
        .every((t) => t.language === 'es'),
    );
  });

  it('a resumed call carries on with the prompt and language of its session’s last final before the resume point', async () => {
    const asked: Array<[string, number]> = [];
    const asr = new FakeAsrDispatcher();
    asr.detected = { language: 'fr', probability: 0.95 };
    await runSession({
      audio: twoSegments,
      streamConfig: {
        sessionId: 'show',
        sourceLanguage: 'auto',
        resumeFromMs: 90_000,
        interimResults: false,
      },
      asr,
      resumeContext: async (sessionId, resumeFromMs) => {
        asked.push([sessionId, resumeFromMs]);
        return { text: 'hola a todos', language: 'es' };
      },
    });
    assert.deepEqual(asked, [['show', 90_000]]);
    const finals = asr.requests.filter((r) => r.isFinal);
    assert.deepEqual(
      finals.map((r) => [r.prompt, r.language]),
      [
        ['hola a todos', 'es'],
        ['w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 w10', 'es'],
      ],
      'the first final is prompted and held in Spanish, as the session was before the resume',
    );
  });

  it('a resumed call whose context cannot be read starts afresh, and a new call never asks', async () => {
    const asr = new FakeAsrDispatcher();
    let asked = 0;
    await runSession({
      audio: twoSegments,
      streamConfig: { sessionId: 'show', sourceLanguage: 'auto', resumeFromMs: 5000, interimResults: false },
      asr,
      resumeContext: () => Promise.reject(new Error('queue Redis away')),
    });
    assert.deepEqual(
      asr.requests.filter((r) => r.isFinal).map((r) => [r.prompt, r.language]),
      [
        [undefined, undefined],
        ['w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 w10', 'en'],
      ],
    );
    await runSession({
      audio: twoSegments,
      streamConfig: { sessionId: 'fresh', interimResults: false },
      resumeContext: async () => void asked++,
    });
    assert.equal(asked, 0);
  });

  it('sends Event LAG while finals trail the audio, at most once per interval, and never drops the final', async () => {
    const asr = new FakeAsrDispatcher();
    const clock = { now: 0 };
    const { responses } = await runSession({
      audio: signal([
        ['speech', 1.5],
        ['silence', 9],
      ]),
      streamConfig: { interimResults: false },
      config: { streaming: { lagWarnMs: 1000, lagEventIntervalMs: 3000 } },
      asr,
      clock,
      onChunk: (n, fake) => {
        if (n === 0) fake.holdFinals = true;
        if (n === 95) fake.release();
      },
    });
    const lags = responses.filter((r) => r.event?.type === 'LAG').map((r) => Number(r.event!.lagMs));
    // The segment closes at ~2 s; its final is held until 9.6 s: > 1 s behind from ~3.1 s, events every 3 s.
    assert.equal(lags.length, 3, `LAG events: ${lags.join(', ')}`);
    assert.ok(lags[0] > 1000 && lags[0] < 1300, `first at just over the threshold (${lags[0]} ms)`);
    assert.ok(lags[1] - lags[0] >= 2900 && lags[2] - lags[1] >= 2900);
    assert.match(responses.find((r) => r.event?.type === 'LAG')!.event!.message, /trail the audio/);
    assert.equal(transcripts(responses).filter((t) => t.isFinal).length, 1);
    assert.deepEqual(contractViolations(responses, []), []);
  });
});

describe("StreamSession passes the stream's translation options on", () => {
  it('sends its glossary with every translation and forces profanity masking when the stream asks', async () => {
    const glossary = [{ source: 'GG', target: '' }];
    const { translateRequests } = await runSession({
      audio: signal([
        ['silence', 0.5],
        ['speech', 1.2],
        ['silence', 1.0],
      ]),
      streamConfig: { targetLanguages: ['es'], interimResults: false, glossary, maskProfanity: true },
    });
    assert.ok(translateRequests.length >= 1, 'the final was translated');
    for (const req of translateRequests) {
      assert.deepEqual(req.glossary, glossary);
      assert.equal(req.maskProfanity, true);
    }
  });

  it('leaves masking to the tenant setting when the stream does not ask', async () => {
    const { translateRequests } = await runSession({
      audio: signal([
        ['silence', 0.5],
        ['speech', 1.2],
        ['silence', 1.0],
      ]),
      streamConfig: { targetLanguages: ['es'], interimResults: false },
    });
    assert.ok(translateRequests.length >= 1);
    assert.equal(translateRequests[0].maskProfanity, undefined);
  });
});

describe('StreamSession bounds what one client can hold', () => {
  /** Many short segments: each one becomes a final that holds its audio until ASR answers. */
  const manySegments = signal(
    Array.from({ length: 8 }, () => [
      ['speech', 0.6],
      ['silence', 0.7],
    ])
      .flat()
      .map((p) => p as ['speech' | 'silence', number]),
  );

  it('a sender faster than its finals decode is paused at streaming.max_pending_finals and loses nothing', async () => {
    const asr = new FakeAsrDispatcher();
    asr.holdFinals = true;
    const call = new FakeCall();
    let maxOpenSegments = 0;
    let pausedWhileFull = false;
    const { responses, outcome } = await runSession({
      audio: manySegments,
      streamConfig: { interimResults: false },
      config: { streaming: { maxPendingFinals: 2 } },
      asr,
      call,
      burst: true,
      afterEnd: async () => {
        // Release held finals one at a time; between releases, count segments ended but not transcribed.
        for (let i = 0; i < 200 && !call.responses.some((r) => r.event?.type === 'WARNING'); i++) {
          for (let k = 0; k < 20; k++) await turn();
          const ends = call.responses.filter((r) => r.event?.type === 'SPEECH_END').length;
          const finals = call.responses.filter((r) => r.transcript?.isFinal).length;
          maxOpenSegments = Math.max(maxOpenSegments, ends - finals);
          if (ends - finals >= 2 && call.paused) pausedWhileFull = true;
          if (finals === 8) break;
          asr.release();
        }
      },
    });
    assert.equal(outcome, 'ok');
    assert.ok(maxOpenSegments <= 2, `at most 2 finals pending at once (saw ${maxOpenSegments})`);
    assert.ok(pausedWhileFull, 'the call was paused (HTTP/2 flow control) while the limit was reached');
    assert.equal(transcripts(responses).filter((t) => t.isFinal).length, 8, 'every segment got its final');
    assert.deepEqual(contractViolations(responses, []), []);
  });

  it('a client that stops reading is cut off after streaming.write_stall_timeout_ms, freeing its slot', async () => {
    const call = new FakeCall();
    call.stopReading = true;
    const started = Date.now();
    const { outcome } = await runSession({
      audio: signal([
        ['speech', 1],
        ['silence', 1],
      ]),
      streamConfig: { interimResults: false },
      config: { streaming: { writeStallTimeoutMs: 1000 } },
      call,
    });
    assert.equal(outcome, 'error');
    assert.equal(call.status?.code, 1, 'CANCELLED');
    assert.match(call.status!.details, /read no responses for 1 s/);
    assert.ok(Date.now() - started < 10_000);
  });

  it('results that never come after the half-close end the call at streaming.finish_timeout_ms', async () => {
    const asr = new FakeAsrDispatcher();
    asr.holdFinals = true;
    const call = new FakeCall();
    const { outcome } = await runSession({
      audio: signal([
        ['speech', 1],
        ['silence', 1],
      ]),
      streamConfig: { interimResults: false },
      config: { streaming: { finishTimeoutMs: 1000 } },
      asr,
      call,
    });
    assert.equal(outcome, 'error');
    assert.equal(call.status?.code, 4, 'DEADLINE_EXCEEDED');
    assert.match(call.status!.details, /resume with resume_from_ms/);
  });

  it('a bug in the audio path ends only this call with INTERNAL, reported once with its call id', async () => {
    const unexpected: unknown[] = [];
    const call = new FakeCall();
    const { outcome } = await runSession({
      audio: signal([['speech', 0.3]]),
      streamConfig: {},
      pipelineBug: new TypeError('cannot read properties of undefined'),
      unexpected,
      call,
    });
    assert.equal(outcome, 'error');
    assert.equal(call.status?.code, 13, 'INTERNAL');
    assert.match(call.status!.details, /internal error/);
    assert.equal(unexpected.length, 1);
  });
});
