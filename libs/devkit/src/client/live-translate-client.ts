import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import {
  PROTO_LOADER_OPTIONS,
  PROTO_PATH,
  type LiveTranslateClient,
  type ProtoGrpcType,
  type StreamRequest,
  type StreamResponse__Output,
} from '@olt/shared';

/** A plain grpc-js client for the LiveTranslate service, built from the same proto and loader options. */
export function createLiveTranslateClient(
  address: string,
  options: grpc.ClientOptions = {},
): LiveTranslateClient {
  const definition = protoLoader.loadSync(PROTO_PATH, PROTO_LOADER_OPTIONS);
  const proto = grpc.loadPackageDefinition(definition) as unknown as ProtoGrpcType;
  return new proto.livetranslate.v1.LiveTranslate(address, grpc.credentials.createInsecure(), options);
}

export function bearer(apiKey: string | undefined): grpc.Metadata {
  const md = new grpc.Metadata();
  if (apiKey) md.set('authorization', `Bearer ${apiKey}`);
  return md;
}

export interface StreamOutcome {
  responses: StreamResponse__Output[];
  /** undefined = ended with OK. */
  error?: grpc.ServiceError;
}

export interface StreamAudioOptions {
  config: NonNullable<StreamRequest['config']>;
  /** Raw PCM in the config's format. */
  pcm: Buffer;
  /** Bytes per chunk (default: 100 ms of audio). */
  chunkBytes?: number;
  /** Pace chunks at real time × this factor (0 = as fast as flow control allows). */
  realtimeFactor?: number;
  apiKey?: string;
  onResponse?: (r: StreamResponse__Output) => void;
  /** Extra messages sent after the audio, before half-close. */
  after?: StreamRequest[];
}

/** Streams PCM over StreamTranslate, half-closes, and collects every response until the call ends. */
export function streamAudio(client: LiveTranslateClient, opts: StreamAudioOptions): Promise<StreamOutcome> {
  const audio = opts.config.audio!;
  const bytesPerSecond =
    Number(audio.sampleRateHz) * Number(audio.channels || 1) * (audio.encoding === 'FLOAT32' ? 4 : 2);
  const chunkBytes = opts.chunkBytes ?? Math.max(2, Math.round(bytesPerSecond / 10 / 4) * 4);
  return new Promise((resolve) => {
    const responses: StreamResponse__Output[] = [];
    const call = client.streamTranslate(bearer(opts.apiKey));
    call.on('data', (r: StreamResponse__Output) => {
      responses.push(r);
      opts.onResponse?.(r);
    });
    call.on('error', (error: grpc.ServiceError) => resolve({ responses, error }));
    call.on('end', () => resolve({ responses }));
    void (async () => {
      const write = (msg: StreamRequest) =>
        new Promise<void>((done) => (call.write(msg) ? done() : call.once('drain', () => done())));
      await write({ config: opts.config });
      const started = Date.now();
      for (let off = 0; off < opts.pcm.length; off += chunkBytes) {
        const data = opts.pcm.subarray(off, Math.min(off + chunkBytes, opts.pcm.length));
        await write({ audio: { data } });
        if (opts.realtimeFactor) {
          const due = started + (((off + data.length) / bytesPerSecond) * 1000) / opts.realtimeFactor;
          const wait = due - Date.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        }
      }
      for (const msg of opts.after ?? []) await write(msg);
      call.end();
    })().catch(() => undefined);
  });
}
