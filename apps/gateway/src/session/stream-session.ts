import type { Logger } from 'pino';
import {
  AppError,
  cancelled,
  deadlineExceeded,
  findLanguage,
  invalidArgument,
  toGrpcStatus,
  unavailable,
  withDeadline,
  type AppConfig,
  type AsrReply,
  type Control__Output,
  type Metrics,
  sessionLogger,
  type StreamRequest__Output,
} from '@olt/shared';
import type { VadConfig } from '@olt/shared';
import type { AsrTranscriber } from '../asr';
import type { AudioPipeline, SegmentEvent } from '../audio';
import type { Tenant } from '../tenancy/tenant';
import type { TranslationService } from '../translate/translation.service';
import { maxTargetsFor } from '../translate/target-limits';
import { policySettings } from './audio-pipeline.factory';
import type { SessionFanoutPort } from './session-fanout';
import { parseSessionObsOutputs } from './session-obs-outputs';
import type { InterimBudget } from './interim-budget';
import { translateFinal } from './final-translations';
import { InterimDecoder, type InterimResult } from './interim-decoder';
import { LagMonitor } from './lag-monitor';
import { LanguageStickiness } from './language-stickiness';
import { promptFrom } from './prompt';
import { ResponseWriter, type ResponseSink } from './response-writer';
import { parseSessionSettings, parseTargets, type SessionSettings } from './session-settings';

/** What the session needs of the gRPC call (a grpc-js ServerDuplexStream satisfies it). */
export interface StreamCall extends ResponseSink {
  on(event: 'data', listener: (msg: StreamRequest__Output) => void): unknown;
  on(event: 'end' | 'cancelled' | 'close', listener: () => void): unknown;
  once(event: 'drain' | 'finish', listener: () => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  pause(): unknown;
  resume(): unknown;
  end(): unknown;
  emit(event: 'error', err: unknown): boolean;
}

export interface StreamSessionDeps {
  tenant: Tenant;
  config: () => AppConfig;
  createPipeline: (settings: SessionSettings) => AudioPipeline;
  asr: AsrTranscriber;
  translation: TranslationService;
  /** Gateway-wide cap on interim decodes in flight (shared by all sessions). */
  interimBudget: InterimBudget;
  /** Wall clock in ms (rate-limits Event LAG); Date.now in production. */
  now: () => number;
  metrics: Metrics;
  /** Base logger; the session adds its session and tenant ids to every line. */
  logger: Logger;
  /** Overlay/REST subscribers and OBS outputs: they see every response the client gets. */
  fanout?: SessionFanoutPort;
  newSessionId: () => string;
  /** Random id of this call: keys its internal state and is the request id of its log lines. */
  callId?: string;
  /** A bug met while serving this call (never bad input): logged with the call id and counted. */
  reportUnexpected?: (err: unknown, sessionId: string | undefined) => void;
  /** Called once when the call is over, whatever the outcome. */
  onClosed: (outcome: 'ok' | 'error' | 'cancelled') => void;
}

type InboxItem =
  | { kind: 'message'; msg: StreamRequest__Output }
  | { kind: 'end' }
  /** The gateway is draining: finish the open segment and deliver what is in flight, then `done`. */
  | { kind: 'drain'; done: () => void };

/** Inbound messages allowed to wait before the call is paused (HTTP/2 flow control then stalls the client). */
const INBOX_HIGH_WATER = 4;
const SAMPLES_PER_MS = 16;
/** How long a resumed call's first final may wait for its session's context from the feed. */
const RESUME_CONTEXT_TIMEOUT_MS = 2000;

/**
 * One StreamTranslate call: validates the config, runs audio through VAD segmentation, sends each segment
 * to ASR and each final transcript to translation, and writes results in the order clients rely on
 * (docs/protocol.md). Audio is processed strictly in arrival order; results of later segments never
 * overtake the transcript of an earlier one.
 */
export class StreamSession {
  private settings?: SessionSettings;
  private pipeline?: AudioPipeline;
  private readonly writer: ResponseWriter;
  private readonly inbox: InboxItem[] = [];
  private pumping = false;
  private closed = false;
  private paused = false;
  private ending = false;
  /** The gateway drains: audio is no longer read; in-flight segments are finished before UNAVAILABLE. */
  private draining = false;
  private startTimer?: NodeJS.Timeout;
  private finishTimer?: NodeJS.Timeout;
  /** Serialises transcript writes in segment order. */
  private transcriptChain: Promise<void> = Promise.resolve();
  /** Resolves when the latest final's reply has been learned from (language, prompt). */
  private finalChain: Promise<void> = Promise.resolve();
  private readonly outstanding = new Set<Promise<void>>();
  private log: Logger;
  private readonly interim: InterimDecoder;
  private readonly lag: LagMonitor;
  private readonly language: LanguageStickiness;
  /** Finals dispatched whose transcript has not been written yet. */
  private finalsPending = 0;
  /** The pump, waiting for finalsPending to drop below streaming.max_pending_finals. */
  private finalSettledWaiters: Array<() => void> = [];
  /** The stream's latest non-empty final text: the prompt of its next jobs. */
  private lastFinalText = '';

  constructor(
    private readonly call: StreamCall,
    private readonly deps: StreamSessionDeps,
  ) {
    this.log = sessionLogger(deps.logger, { tenantId: deps.tenant.id }).child({ requestId: deps.callId });
    this.writer = new ResponseWriter(
      {
        write: (message) => {
          if (this.settings) deps.fanout?.publish(this.settings.sessionId, message);
          return call.write(message);
        },
        once: (event, listener) => call.once(event, listener),
      },
      () => this.updateFlow(),
      {
        timeoutMs: () => deps.config().streaming.writeStallTimeoutMs,
        onStalled: (waitedMs) =>
          this.fail(
            cancelled(
              `the client read no responses for ${Math.round(waitedMs / 1000)} s while results waited: ` +
                'read the stream continuously (the gateway gave up on this call)',
            ),
          ),
      },
    );
    const streaming = () => deps.config().streaming;
    this.lag = new LagMonitor(
      () => ({ warnMs: streaming().lagWarnMs, eventIntervalMs: streaming().lagEventIntervalMs }),
      deps.now,
    );
    this.language = new LanguageStickiness(() => ({
      stickProbability: streaming().languageStickProbability,
      switchProbability: streaming().languageSwitchProbability,
      redetectEvery: streaming().languageRedetectEvery,
    }));
    this.interim = new InterimDecoder({
      decode: (job) =>
        this.deps.asr.transcribe({
          ...this.jobBase(),
          ...job,
          isFinal: false,
          language: this.settings!.source?.whisper ?? this.language.languageFor(false),
          prompt: this.prompt(),
        }),
      budget: deps.interimBudget,
      settings: () => streaming(),
      finalsPending: () => this.finalsPending > 0,
      lagging: () => this.lag.lagMs > streaming().lagWarnMs,
      processedSamples: () => Math.round((this.pipeline?.processedMs ?? 0) * SAMPLES_PER_MS),
      openSegment: () => this.pipeline?.getOpenSegment() ?? null,
      sessionMs: (sample) => this.sessionMs(sample),
      emit: (result) => this.sendInterim(result),
      decoded: (_reply, endMs) => this.onDecoded(endMs),
      skipped: (reason) => this.log.debug({ reason }, 'interim decode skipped'),
      failed: (segmentId, err) => this.log.warn({ segmentId, err }, 'interim decode failed'),
    });
  }

  start(): void {
    this.call.on('data', (msg) => this.enqueue({ kind: 'message', msg }));
    this.call.on('end', () => this.enqueue({ kind: 'end' }));
    this.call.on('cancelled', () => this.close('cancelled'));
    this.call.on('error', (err) => {
      if (this.closed) return; // our own status (fail()) comes back through this event
      this.log.warn({ err }, 'stream error');
      this.close('cancelled');
    });
    const timeoutMs = this.deps.config().gateway.sessionStartTimeoutMs;
    this.startTimer = setTimeout(
      () =>
        this.fail(invalidArgument(`no StreamConfig received within ${timeoutMs} ms of opening the stream`)),
      timeoutMs,
    );
  }

  get sessionId(): string | undefined {
    return this.settings?.sessionId;
  }

  /** Config hot reload: new VAD thresholds and lengths apply from the next frame on. */
  applyVadConfig(vad: VadConfig): void {
    if (this.pipeline && this.settings)
      this.pipeline.updatePolicySettings(policySettings(vad, this.settings));
  }

  /**
   * The gateway is going away. The stream stops taking audio (what the client sent but this gateway has
   * not read yet is dropped), the open segment is cut where the audio read so far ends, and every segment
   * in flight gets its final transcript and translations, within `timeoutMs`; then the call ends with
   * UNAVAILABLE and the client resumes, on another gateway, from its resume point (docs/protocol.md: the
   * end of the last segment whose final transcript and every final translation arrived), resending the
   * audio after it. Results still missing at the deadline are not sent, so they fall after the client's
   * resume point and are made again from the resent audio: nothing lost, nothing twice.
   */
  async drain(message: string, timeoutMs = 0): Promise<void> {
    if (this.closed) return;
    // Resolve once the status has been handed to the transport, so the server is not torn down under it.
    const sent = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 1000);
      this.call.once('finish', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    if (this.settings && timeoutMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
      await Promise.race([this.deliverInFlight(), deadline]);
      clearTimeout(timer);
    }
    this.fail(unavailable(message));
    return sent;
  }

  /** Drain: no more audio; the pump finishes the open segment and waits for the results in flight. */
  private deliverInFlight(): Promise<void> {
    if (this.ending) {
      // Already finishing (half-close): finish() delivers everything; wait until it has.
      return new Promise((resolve) => {
        const poll = setInterval(() => {
          if (this.closed || !this.outstanding.size) {
            clearInterval(poll);
            resolve();
          }
        }, 50);
      });
    }
    this.draining = true;
    return new Promise<void>((resolve) => {
      this.inbox.length = 0;
      this.inbox.push({ kind: 'drain', done: resolve });
      this.updateFlow();
      void this.pump();
    });
  }

  private enqueue(item: InboxItem): void {
    if (this.closed || this.draining) return;
    this.inbox.push(item);
    this.updateFlow();
    void this.pump();
  }

  private updateFlow(): void {
    const shouldPause =
      this.draining ||
      this.inbox.length >= INBOX_HIGH_WATER ||
      this.writer.congested ||
      this.tooManyFinalsPending;
    if (shouldPause && !this.paused) {
      this.paused = true;
      this.call.pause();
    } else if (!shouldPause && this.paused && !this.closed) {
      this.paused = false;
      this.call.resume();
    }
  }

  /**
   * Per-stream memory bound: each pending final holds its segment's audio until ASR answers. A client
   * sending faster than its finals decode is paused here (and by HTTP/2 flow control) instead of piling up
   * segments.
   */
  private get tooManyFinalsPending(): boolean {
    return this.finalsPending >= this.deps.config().streaming.maxPendingFinals;
  }

  private finalsBelowLimit(): Promise<void> {
    if (!this.tooManyFinalsPending || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.finalSettledWaiters.push(resolve));
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.inbox.length && !this.closed) {
        if (this.inbox[0].kind === 'message' && this.inbox[0].msg.request === 'audio') {
          await this.finalsBelowLimit();
          if (this.closed) break;
        }
        const item = this.inbox.shift()!;
        this.updateFlow();
        if (item.kind === 'drain') {
          await this.deliverPending();
          item.done();
        } else if (item.kind === 'end') await this.finish();
        else await this.handle(item.msg);
      }
    } catch (err) {
      this.fail(err);
    } finally {
      this.pumping = false;
    }
  }

  private async handle(msg: StreamRequest__Output): Promise<void> {
    if (this.ending) return;
    if (msg.request === 'config') return this.configure(msg);
    if (!this.settings) {
      throw invalidArgument(
        'the first message of StreamTranslate must be a StreamConfig (got ' +
          (msg.request ?? 'an empty message') +
          ')',
      );
    }
    if (msg.request === 'audio') return this.onAudio(msg.audio?.data ?? Buffer.alloc(0));
    if (msg.request === 'control' && msg.control) return this.onControl(msg.control);
    throw invalidArgument('StreamRequest must set one of config, audio or control');
  }

  private configure(msg: StreamRequest__Output): void {
    if (this.settings) throw invalidArgument('StreamConfig may only be sent once, as the first message');
    clearTimeout(this.startTimer);
    const cfg = this.deps.config();
    this.settings = parseSessionSettings(
      msg.config!,
      {
        maxTargets: maxTargetsFor(cfg.limits, this.deps.tenant.plan),
        maxGlossaryTerms: cfg.limits.maxGlossaryTerms,
        maxGlossaryTermChars: cfg.limits.maxGlossaryTermChars,
        minSampleRateHz: cfg.audio.minSampleRateHz,
        maxSampleRateHz: cfg.audio.maxSampleRateHz,
        maxChannels: cfg.audio.maxChannels,
      },
      this.deps.newSessionId,
    );
    this.log = sessionLogger(this.deps.logger, {
      sessionId: this.settings.sessionId,
      tenantId: this.deps.tenant.id,
    }).child({ requestId: this.deps.callId });
    const obsOutputs = parseSessionObsOutputs(msg.config!, cfg.obs);
    this.pipeline = this.deps.createPipeline(this.settings);
    // The first final waits for this (finals chain on finalChain): its prompt and language come from it.
    if (this.settings.resumeFromMs > 0) this.finalChain = this.carryOnFromResume(this.settings);
    this.writer.send({
      started: {
        sessionId: this.settings.sessionId,
        overlayUrl: this.deps.fanout?.opened(this.settings.sessionId, obsOutputs) ?? '',
        serverTimeMs: Date.now(),
      },
    });
    this.log.info(
      {
        audio: this.settings.audio,
        source: this.settings.source?.bcp47 ?? 'auto',
        targets: this.settings.targets.map((t) => t.bcp47),
      },
      'session started',
    );
  }

  /**
   * A resumed call (any gateway) carries on with its session's prompt and language: the last final before
   * its resume point, from the subtitle feed. Best effort under a deadline: without it the call starts
   * as a new one (no prompt, detection from scratch), which is still correct.
   */
  private async carryOnFromResume(settings: SessionSettings): Promise<void> {
    const context = await withDeadline(
      this.deps.fanout?.resumeContext(settings.sessionId, settings.resumeFromMs) ??
        Promise.resolve(undefined),
      RESUME_CONTEXT_TIMEOUT_MS,
    ).catch((err: unknown) => {
      this.log.warn({ err: (err as Error).message }, 'resume: no context from the feed; starting afresh');
      return undefined;
    });
    if (!context || this.closed) return;
    if (!this.lastFinalText) this.lastFinalText = context.text.trim();
    const language = findLanguage(context.language)?.whisper;
    if (!settings.source && language && !this.language.language) this.language.resume(language);
    this.log.info({ language, promptChars: context.text.length }, 'resumed: prompt and language carried on');
  }

  private async onAudio(data: Buffer): Promise<void> {
    const limit = this.deps.config().limits.maxChunkBytes;
    if (data.length > limit) {
      throw invalidArgument(
        `audio chunk of ${data.length} bytes exceeds the limit of ${limit} bytes: send chunks of 20–200 ms`,
      );
    }
    if (data.length === 0) return;
    const seconds = data.length / this.bytesPerSecond();
    this.deps.metrics.audioReceivedSeconds.inc({ tenant: this.deps.tenant.id }, seconds);
    this.handleEvents(await this.pipeline!.push(data));
    if (this.settings!.interimResults) this.interim.poll();
    this.reportLag(this.lag.onAudio(this.settings!.resumeFromMs + this.pipeline!.receivedMs, this.idle));
  }

  /** Nothing of the stream waits to be decoded: silence, or speech whose decoding has not been asked for. */
  private get idle(): boolean {
    if (this.finalsPending > 0 || this.interim.busy) return false;
    return !(this.settings!.interimResults && this.pipeline!.inSpeech);
  }

  private reportLag(lagMs: number | undefined): void {
    if (lagMs === undefined || this.closed) return;
    const seconds = (lagMs / 1000).toFixed(1);
    this.log.warn({ lagMs }, 'stream is lagging');
    this.writer.send({
      event: {
        type: 'LAG',
        segmentId: '',
        audioMs: this.settings!.resumeFromMs + Math.round(this.pipeline!.receivedMs),
        message: `transcripts trail the audio by ${seconds} s: the ASR workers are behind (interim results are skipped first; finals are kept)`,
        lagMs: Math.round(lagMs),
      },
    });
  }

  /** An ASR reply covered the stream's audio up to endMs. */
  private onDecoded(endMs: number): void {
    const lag = this.lag.onDecoded(endMs);
    this.deps.metrics.sessionLagSeconds.observe(lag / 1000);
    if (this.idle) this.lag.onIdle();
    this.reportLag(this.lag.check());
  }

  private jobBase() {
    return {
      sessionId: this.settings!.sessionId,
      tenantId: this.deps.tenant.id,
      plan: this.deps.tenant.plan,
      priority: this.settings!.priority,
    };
  }

  private prompt(): string | undefined {
    return promptFrom(this.lastFinalText, this.deps.config().streaming.promptMaxChars);
  }

  private sendInterim(r: InterimResult): void {
    if (this.closed) return;
    const settings = this.settings!;
    const language = settings.source ?? findLanguage(r.reply.language);
    this.writer.send({
      transcript: {
        segmentId: r.segmentId,
        revision: r.revision,
        isFinal: false,
        startMs: r.startMs,
        endMs: r.endMs,
        text: r.text,
        language: language?.bcp47 ?? r.reply.language,
        confidence: r.reply.confidence,
        stability: r.stability,
      },
    });
  }

  private async onControl(control: Control__Output): Promise<void> {
    switch (control.type) {
      case 'FLUSH':
        this.handleEvents(await this.pipeline!.flush());
        return;
      case 'UPDATE_TARGETS':
        this.settings!.targets = parseTargets(
          control.targetLanguages,
          maxTargetsFor(this.deps.config().limits, this.deps.tenant.plan),
        );
        return;
      case 'CLOSE':
        this.enqueue({ kind: 'end' });
        return;
      case 'KEEPALIVE':
        return;
      default:
        throw invalidArgument(`unknown Control.type ${control.type}`);
    }
  }

  private bytesPerSecond(): number {
    const a = this.settings!.audio;
    return a.sampleRateHz * a.channels * (a.encoding === 'LINEAR16' ? 2 : 4);
  }

  private sessionMs(sample: number): number {
    return this.settings!.resumeFromMs + Math.round(sample / SAMPLES_PER_MS);
  }

  private segmentId(startSample: number): string {
    return `${this.settings!.sessionId}:${this.sessionMs(startSample)}`;
  }

  private handleEvents(events: SegmentEvent[]): void {
    for (const ev of events) {
      if (ev.type === 'speech_start') {
        this.interim.open(this.segmentId(ev.startSample), ev.startSample);
        this.writer.send({
          event: {
            type: 'SPEECH_START',
            segmentId: this.segmentId(ev.startSample),
            audioMs: this.sessionMs(ev.startSample),
            message: '',
            lagMs: 0,
          },
        });
      } else if (ev.type === 'segment') {
        const segmentId = this.segmentId(ev.startSample);
        this.writer.send({
          event: {
            type: 'SPEECH_END',
            segmentId,
            audioMs: this.sessionMs(ev.endSample),
            message: '',
            lagMs: 0,
          },
        });
        this.deps.metrics.segmentsTotal.inc({ reason: ev.reason });
        const revision = this.interim.close(segmentId);
        this.track(
          this.processSegment(
            segmentId,
            revision,
            ev.audio,
            this.sessionMs(ev.startSample),
            this.sessionMs(ev.endSample),
            ev.speechRatio,
          ),
        );
      }
    }
  }

  private track(work: Promise<void>): void {
    const p = work.catch((err) => this.fail(err)).finally(() => this.outstanding.delete(p));
    this.outstanding.add(p);
  }

  /** `revision`: above every interim revision of the segment; its translations carry it too. */
  private async processSegment(
    segmentId: string,
    revision: number,
    audio: Float32Array,
    startMs: number,
    endMs: number,
    vadSpeechRatio: number,
  ): Promise<void> {
    const settings = this.settings!;
    const endedAt = performance.now();
    let requestedLanguage: string | undefined;
    this.finalsPending++;
    let pending = true;
    const settle = () => {
      if (!pending) return;
      pending = false;
      this.finalsPending--;
      if (!this.tooManyFinalsPending) {
        const waiters = this.finalSettledWaiters;
        this.finalSettledWaiters = [];
        for (const w of waiters) w();
      }
      this.updateFlow();
      if (this.idle) this.lag.onIdle();
      // Interim decodes of the next segment were held back while this final was pending.
      if (settings.interimResults && !this.closed) this.interim.poll();
    };
    // A stream's finals are decoded one after another: each takes the previous final's text as its prompt
    // and the language it settled. (At real time a final is back long before the next segment ends, so
    // this costs nothing; a burst of segments from a faster-than-real-time client queues here.)
    const previousFinal = this.finalChain;
    let learned!: () => void;
    this.finalChain = new Promise<void>((r) => (learned = r));
    const asr = previousFinal
      .then(() => {
        if (this.closed) throw new Error('the stream ended before this segment was sent to ASR');
        requestedLanguage = settings.source?.whisper ?? this.language.languageFor(true);
        return this.deps.asr.transcribe({
          ...this.jobBase(),
          segmentId,
          revision,
          isFinal: true,
          audio,
          startMs,
          endMs,
          language: requestedLanguage,
          prompt: this.prompt(),
          vadSpeechRatio,
        });
      })
      .then(
        (reply) => ({ reply, error: undefined }),
        (error: unknown) => ({ reply: undefined, error }),
      );

    const previous = this.transcriptChain;
    let release!: () => void;
    this.transcriptChain = new Promise<void>((r) => (release = r));
    try {
      const { reply, error } = await asr;
      if (reply) this.onDecoded(endMs);
      if (reply?.ok) this.learnFromFinal(requestedLanguage, reply);
      learned();
      await previous;
      if (this.closed) return;
      const failure =
        error ?? (reply && !reply.ok ? new AppError('INTERNAL', reply.error ?? 'ASR failed') : undefined);
      if (failure || !reply) {
        const message = failure instanceof Error ? failure.message : String(failure);
        this.log.error({ segmentId, err: failure }, 'segment could not be transcribed');
        this.warn(`segment ${segmentId} could not be transcribed: ${message}`, failure);
        this.sendTranscript(segmentId, revision, startMs, endMs, '', settings.source?.bcp47 ?? '', 0);
        return;
      }
      const language = settings.source ?? findLanguage(reply.language);
      this.sendTranscript(
        segmentId,
        revision,
        startMs,
        endMs,
        reply.text,
        language?.bcp47 ?? reply.language,
        reply.confidence,
      );
      // Later segments' transcripts may go out now; this segment's translations follow in any order.
      release();
      settle();
      this.deps.metrics.pipelineLatency.observe(
        { stage: 'final_transcript' },
        (performance.now() - endedAt) / 1000,
      );
      if (reply.text.trim() === '') return;
      if (!language?.flores) {
        this.warn(
          `no translation for segment ${segmentId}: language "${reply.language}" is not supported by the translation model`,
        );
        return;
      }
      await translateFinal(
        {
          translation: this.deps.translation,
          tenant: this.deps.tenant,
          metrics: this.deps.metrics,
          send: (message) => this.writer.send(message),
          warn: (message, cause) => this.warn(message, cause),
          closed: () => this.closed,
        },
        settings,
        { segmentId, revision, text: reply.text, source: language.flores, endedAt },
      );
    } finally {
      learned();
      release();
      settle();
    }
  }

  /** Language stickiness (source "auto") and the prompt of the stream's next jobs. */
  private learnFromFinal(requested: string | undefined, reply: AsrReply): void {
    const heard = reply.text.trim() !== '';
    if (!this.settings!.source) {
      const change = this.language.observeFinal(requested, reply.language, reply.languageProbability, heard);
      if (change?.kind === 'stuck')
        this.log.info({ language: change.language }, 'stream language detected; keeping it');
      if (change?.kind === 'switched') {
        this.log.info({ language: change.language, previous: change.previous }, 'stream language changed');
      }
    }
    // A prompt in another language than the speech misleads Whisper: the newest final is always the one
    // in the language now being spoken.
    if (heard) this.lastFinalText = reply.text.trim();
  }

  private sendTranscript(
    segmentId: string,
    revision: number,
    startMs: number,
    endMs: number,
    text: string,
    language: string,
    confidence: number,
  ): void {
    this.writer.send({
      transcript: {
        segmentId,
        revision,
        isFinal: true,
        startMs,
        endMs,
        text,
        language,
        confidence,
        stability: 1,
      },
    });
  }

  /**
   * A segment or translation lost. SERVER_BUSY when the service itself could not take the work (queue
   * Redis unreachable or its circuit open, no capacity: UNAVAILABLE / RESOURCE_EXHAUSTED), so a client can
   * tell an outage it should show or back off from from a problem with one segment (WARNING).
   */
  private warn(message: string, cause?: unknown): void {
    const code = cause instanceof AppError ? cause.code : undefined;
    const type = code === 'UNAVAILABLE' || code === 'RESOURCE_EXHAUSTED' ? 'SERVER_BUSY' : 'WARNING';
    this.writer.send({ event: { type, message, lagMs: 0, segmentId: '', audioMs: 0 } });
  }

  /** Half-close or Control.CLOSE: finish the open segment, deliver everything pending, end with OK. */
  private async finish(): Promise<void> {
    if (this.ending) return;
    this.ending = true;
    clearTimeout(this.startTimer);
    const timeoutMs = this.deps.config().streaming.finishTimeoutMs;
    this.finishTimer = setTimeout(
      () =>
        this.fail(
          deadlineExceeded(
            `the stream's last results were not delivered within ${Math.round(timeoutMs / 1000)} s of the end of audio ` +
              '(streaming.finish_timeout_ms): resume with resume_from_ms after the last final you received',
          ),
        ),
      timeoutMs,
    );
    await this.deliverPending();
    clearTimeout(this.finishTimer);
    if (this.closed) return;
    this.closed = true;
    this.call.end();
    this.log.info('session completed');
    this.deps.onClosed('ok');
  }

  /** End of audio (half-close or drain): cut the open segment, then wait until every result is written. */
  private async deliverPending(): Promise<void> {
    this.ending = true;
    if (this.pipeline) this.handleEvents(await this.pipeline.end());
    while (this.outstanding.size) await Promise.all([...this.outstanding]);
    await this.writer.flushed();
  }

  private fail(err: unknown): void {
    if (this.closed) return;
    const status = toGrpcStatus(err);
    if (!(err instanceof AppError)) {
      if (this.deps.reportUnexpected) this.deps.reportUnexpected(err, this.settings?.sessionId);
      else this.log.error({ err }, 'session failed');
    } else this.log.info({ code: err.code, message: err.message }, 'session rejected');
    this.closed = true;
    this.releaseWaits();
    this.writer.abandon();
    this.call.emit('error', { code: status.code, details: status.details, message: status.details });
    this.deps.onClosed('error');
  }

  private close(outcome: 'cancelled'): void {
    if (this.closed) return;
    this.closed = true;
    this.releaseWaits();
    this.writer.abandon();
    this.log.info('client went away');
    this.deps.onClosed(outcome);
  }

  /** The call is over: stop timers and interim decodes, and let every waiting loop see `closed`. */
  private releaseWaits(): void {
    clearTimeout(this.startTimer);
    clearTimeout(this.finishTimer);
    this.interim.stop();
    this.inbox.length = 0;
    const waiters = this.finalSettledWaiters;
    this.finalSettledWaiters = [];
    for (const w of waiters) w();
  }
}
