import type * as grpc from '@grpc/grpc-js';
import type { LiveTranslateClient, StreamRequest, StreamResponse__Output } from '@olt/shared';
import type { AudioInput } from '../audio/audio-input';
import { bytesPerFrame } from '../audio/wav-reader';
import { CliError, EXIT, grpcError, inputError } from '../exit-codes';
import { authMetadata } from '../grpc/gateway-client';
import { ResumeBuffer } from './resume-buffer';
// The resume module alone: the CLI does not load the workers' ONNX Runtime through the shared index.
import { ResumePoint } from '@olt/shared/dist/resume';

export interface StreamRunOptions {
  server: string;
  key?: string;
  input: AudioInput;
  targets: string[];
  source: string;
  interim: boolean;
  silenceMs?: number;
  maxSegmentMs?: number;
  /** Pace files at real time (live use); false = as fast as the gateway reads. stdin is never paced. */
  realtime: boolean;
  sessionId?: string;
  /** Reconnect attempts after UNAVAILABLE before giving up (exit 4). */
  maxRetries: number;
  retryInitialMs?: number;
  /**
   * Ctrl+C: stop reading the input and half-close the call, so the gateway finishes the open segment and
   * sends its final before the call ends OK.
   */
  stop?: AbortSignal;
  /** May throw (a caption file cannot be written): the call is cancelled and runStream rejects with it. */
  onResponse(response: StreamResponse__Output, call: number): void;
  onProgress(sentMs: number, totalMs: number | undefined): void;
  onStatus(message: string): void;
}

export interface StreamRunResult {
  sessionId: string;
  calls: number;
  sentMs: number;
  finals: number;
  /** True when `stop` ended the input early. */
  stopped: boolean;
}

const UNAVAILABLE = 14;
const CHUNK_MS = 100;
/** Audio kept for a resume: beyond the longest segment a gateway allows by default (15 s), with margin. */
const RESUME_SECONDS = 120;

/**
 * Streams one input over StreamTranslate. On UNAVAILABLE (gateway draining or gone) it reconnects with
 * backoff and resumes the same session from its resume point (docs/protocol.md: the end of the last segment
 * whose final transcript and every final translation arrived), sending the audio after it again, so no
 * speech and no translation is lost.
 */
export async function runStream(
  client: LiveTranslateClient,
  opts: StreamRunOptions,
): Promise<StreamRunResult> {
  const { format } = opts.input;
  const frame = bytesPerFrame(format);
  const bytesPerSecond = format.sampleRateHz * frame;
  const chunkBytes = Math.max(frame, Math.round((bytesPerSecond * CHUNK_MS) / 1000 / frame) * frame);
  const toMs = (bytes: number) => (bytes / bytesPerSecond) * 1000;
  const toBytes = (ms: number) => Math.floor(((ms / 1000) * bytesPerSecond) / frame) * frame;
  const totalMs = opts.input.totalBytes !== undefined ? toMs(opts.input.totalBytes) : undefined;

  const source = opts.input.chunks(chunkBytes)[Symbol.asyncIterator]();
  const resume = new ResumeBuffer(RESUME_SECONDS * bytesPerSecond);
  let sessionId = opts.sessionId ?? '';
  let pulledBytes = 0;
  let resumePoint = new ResumePoint(opts.targets.length);
  let finals = 0;
  let calls = 0;
  let retries = 0;
  let delay = opts.retryInitialMs ?? 500;
  let failure: unknown;
  const stop = opts.stop;
  const stopped = new Promise<undefined>((resolve) => {
    if (stop?.aborted) resolve(undefined);
    stop?.addEventListener('abort', () => resolve(undefined), { once: true });
  });
  stop?.addEventListener('abort', () => opts.input.close(), { once: true });
  /** Resolves with undefined as soon as Ctrl+C was pressed. */
  const unlessStopped = <T>(p: Promise<T>) => Promise.race([p, stopped]);

  for (;;) {
    calls++;
    const resumeBytes = resume.resumePosition(toBytes(resumePoint.ms));
    // Segments still waiting for translations when the call ended are made again from the resent audio.
    resumePoint = new ResumePoint(opts.targets.length, toMs(resumeBytes));
    let progressed = false;
    const outcome = await runCall({
      client,
      key: opts.key,
      config: {
        sessionId,
        resumeFromMs: Math.round(toMs(resumeBytes)),
        audio: { encoding: format.encoding, sampleRateHz: format.sampleRateHz, channels: format.channels },
        sourceLanguage: opts.source,
        targetLanguages: opts.targets,
        interimResults: opts.interim,
        endpointing: { silenceMs: opts.silenceMs ?? 0, maxSegmentMs: opts.maxSegmentMs ?? 0 },
      },
      replay: resume.from(resumeBytes),
      next: async () => {
        if (stop?.aborted) return undefined;
        const r = await unlessStopped(source.next());
        if (!r || r.done) return undefined;
        resume.add(pulledBytes, r.value);
        pulledBytes += r.value.length;
        opts.onProgress(toMs(pulledBytes), totalMs);
        return r.value;
      },
      onFailure: (err) => (failure ??= err),
      pace: opts.realtime && !opts.input.live ? bytesPerSecond : 0,
      sleep: (ms) => unlessStopped(new Promise<void>((r) => setTimeout(r, ms))),
      onResponse: (r) => {
        progressed = true;
        if (r.started) {
          if (!sessionId)
            opts.onStatus(
              `session ${r.started.sessionId}${r.started.overlayUrl ? ` (overlay ${r.started.overlayUrl})` : ''}`,
            );
          sessionId = r.started.sessionId;
        }
        if (r.transcript?.isFinal) finals++;
        const before = resumePoint.ms;
        resumePoint.observe(r);
        if (resumePoint.ms > before) resume.trimBefore(toBytes(resumePoint.ms));
        opts.onResponse(r, calls);
      },
    });
    if (failure !== undefined) {
      throw failure instanceof CliError
        ? failure
        : inputError(`reading ${opts.input.name} failed: ${String(failure)}`);
    }
    const result = { sessionId, calls, sentMs: toMs(pulledBytes), finals, stopped: Boolean(stop?.aborted) };
    if (!outcome) return result;
    // Stopped while the gateway was going away: what was final is kept, nothing is resumed.
    if (stop?.aborted && outcome.code === UNAVAILABLE) return result;
    if (outcome.code !== UNAVAILABLE || retries >= opts.maxRetries) {
      const err = grpcError(outcome, opts.server);
      throw outcome.code === UNAVAILABLE && retries > 0
        ? new CliError(EXIT.SERVER, `${err.message} after ${retries} reconnects`)
        : err;
    }
    if (progressed) {
      retries = 0;
      delay = opts.retryInitialMs ?? 500;
    }
    retries++;
    opts.onStatus(
      `gateway unavailable (${outcome.details || 'no message'}); reconnecting in ${(delay / 1000).toFixed(1)} s and resuming at ${(toMs(resume.resumePosition(toBytes(resumePoint.ms))) / 1000).toFixed(2)} s (try ${retries}/${opts.maxRetries})`,
    );
    await unlessStopped(new Promise((r) => setTimeout(r, delay)));
    if (stop?.aborted) return { ...result, stopped: true };
    delay = Math.min(delay * 2, 8000);
  }
}

interface CallSpec {
  client: LiveTranslateClient;
  key?: string;
  config: NonNullable<StreamRequest['config']>;
  replay: Buffer[];
  next(): Promise<Buffer | undefined>;
  /** Bytes per second to pace new audio at; 0 = no pacing. */
  pace: number;
  sleep(ms: number): Promise<unknown>;
  onResponse(r: StreamResponse__Output): void;
  /** Reading the input or handling a response failed: the call is cancelled. */
  onFailure(err: unknown): void;
}

/** One StreamTranslate call; resolves undefined on OK, else with the error status. */
function runCall(spec: CallSpec): Promise<grpc.ServiceError | undefined> {
  return new Promise((resolve) => {
    const call = spec.client.streamTranslate(authMetadata(spec.key));
    let ended = false;
    call.on('data', (r: StreamResponse__Output) => {
      try {
        spec.onResponse(r);
      } catch (err) {
        spec.onFailure(err);
        call.cancel();
      }
    });
    call.on('error', (err: grpc.ServiceError) => {
      ended = true;
      resolve(err);
    });
    call.on('end', () => {
      ended = true;
      resolve(undefined);
    });
    const write = (msg: StreamRequest) =>
      new Promise<void>((done) => {
        if (ended) return done();
        if (call.write(msg)) done();
        else call.once('drain', () => done());
      });
    void (async () => {
      await write({ config: spec.config });
      for (const data of spec.replay) await write({ audio: { data } });
      const started = Date.now();
      let paced = 0;
      while (!ended) {
        const data = await spec.next();
        if (!data) break;
        await write({ audio: { data } });
        paced += data.length;
        if (spec.pace) {
          const wait = started + (paced / spec.pace) * 1000 - Date.now();
          if (wait > 0) await spec.sleep(wait);
        }
      }
      if (!ended) call.end();
    })().catch((err: unknown) => {
      // Reading the input failed (e.g. stdin closed with an error): report it and cancel the call.
      spec.onFailure(err);
      call.cancel();
    });
  });
}
