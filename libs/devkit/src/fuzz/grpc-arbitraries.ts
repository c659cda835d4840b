import * as fc from 'fast-check';
import type { GrpcAuth, GrpcCall, ProtoObject, StreamEnding, StreamStep } from './grpc-call';

/** Either a usable value (so the call gets past validation) or an extreme one, weighted towards the extremes. */
function validOr<T>(valid: fc.Arbitrary<T>, extreme: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.oneof({ weight: 2, arbitrary: valid }, { weight: 1, arbitrary: extreme });
}

const UINT32_EXTREMES = [0, 1, -1, 2 ** 31, 2 ** 32 - 1, 65535];
const ENUM_NUMBERS = [0, 5, 99, -1, 1000, 2 ** 31 - 1];

const hugeString = fc
  .tuple(fc.constantFrom('a', 'é', '\u0000', '🙂', '%'), fc.constantFrom(1 << 16, 1 << 20, 3 << 20))
  .map(([c, n]) => c.repeat(c.length === 2 ? n / 2 : n));

const hostileString = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 1, arbitrary: hugeString },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', '../../etc', '%E0%A4%A', '__proto__', 'a'.repeat(300)) },
);

const languageCode = fc.oneof(
  fc.constantFrom('es', 'fr', 'de', 'spa_Latn', 'zh-Hant-TW', 'EN', 'en-US', 'auto', 'xx', '', 'source'),
  hostileString,
);

const targetLanguages = fc.oneof(
  { weight: 4, arbitrary: fc.constant(['es']) },
  { weight: 2, arbitrary: fc.array(languageCode, { maxLength: 4 }) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(1000, 5000, 20000)
      .map((n) => Array.from({ length: n }, (_, i) => ['es', 'fr', 'de', 'it'][i % 4]!)),
  },
);

const glossary = fc.oneof(
  { weight: 4, arbitrary: fc.constant([]) },
  {
    weight: 2,
    arbitrary: fc.array(fc.record({ source: hostileString, target: hostileString }), { maxLength: 4 }),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(1000, 10000, 50000)
      .map((n) => Array.from({ length: n }, (_, i) => ({ source: `w${i}`, target: `t${i}` }))),
  },
);

const audioFormat: fc.Arbitrary<ProtoObject | undefined> = fc.oneof(
  { weight: 1, arbitrary: fc.constant(undefined) },
  {
    weight: 6,
    arbitrary: fc.record({
      encoding: validOr(fc.constantFrom(1, 2), fc.constantFrom(...ENUM_NUMBERS)),
      sampleRateHz: validOr(
        fc.constantFrom(16000, 48000, 8000),
        fc.constantFrom(...UINT32_EXTREMES, 7999, 192001, 11025, 12345, 191999),
      ),
      channels: validOr(fc.constantFrom(1, 2), fc.constantFrom(...UINT32_EXTREMES, 3, 255)),
    }),
  },
);

export const streamConfig: fc.Arbitrary<ProtoObject> = fc.record(
  {
    sessionId: validOr(fc.constantFrom('', 'fuzz-session'), hostileString),
    resumeFromMs: validOr(fc.constant(0), fc.constantFrom(1, -1, 2 ** 53 - 1, 1e15, 2 ** 32)),
    audio: audioFormat,
    sourceLanguage: validOr(fc.constantFrom('en', 'auto', ''), languageCode),
    targetLanguages,
    interimResults: fc.boolean(),
    endpointing: fc.option(
      fc.record({
        silenceMs: fc.constantFrom(...UINT32_EXTREMES, 300),
        maxSegmentMs: fc.constantFrom(...UINT32_EXTREMES, 5000),
      }),
      { nil: undefined },
    ),
    priority: validOr(fc.constantFrom(0, 1, 2, 3, 4), fc.constantFrom(...ENUM_NUMBERS)),
    glossary,
    obsOutputs: fc.oneof(
      { weight: 6, arbitrary: fc.constant([]) },
      {
        weight: 1,
        arbitrary: fc.array(
          fc.record({
            url: fc.constantFrom('ws://127.0.0.1:1', 'not a url', 'wss://', 'ws://[::1]:0', ''),
            textSource: hostileString,
            captionMaxRows: fc.constantFrom(0, 4, 5, -1),
            languages: fc.array(languageCode, { maxLength: 3 }),
          }),
          { maxLength: 3 },
        ),
      },
    ),
    maskProfanity: fc.boolean(),
  },
  { requiredKeys: ['audio', 'targetLanguages'] },
);

const audioChunk: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 4, arbitrary: fc.uint8Array({ maxLength: 4000 }).map((b) => Buffer.from(b)) },
  { weight: 2, arbitrary: fc.constantFrom(320, 321, 3200, 1, 0, 3).map((n) => Buffer.alloc(n)) },
  // Full-scale square wave: loud enough for the VAD to open segments.
  { weight: 2, arbitrary: fc.constantFrom(6400, 32000).map((n) => loudPcm(n)) },
  { weight: 1, arbitrary: fc.constantFrom(1 << 20, 3 << 20, 5 << 20).map((n) => Buffer.alloc(n, 0x41)) },
);

function loudPcm(bytes: number): Buffer {
  const b = Buffer.alloc(bytes);
  for (let i = 0; i + 1 < bytes; i += 2) b.writeInt16LE(Math.floor(i / 40) % 2 ? 20000 : -20000, i);
  return b;
}

const control: fc.Arbitrary<ProtoObject> = fc.record({
  type: validOr(fc.constantFrom(1, 2, 3, 4), fc.constantFrom(...ENUM_NUMBERS)),
  targetLanguages: fc.oneof(fc.constant([]), targetLanguages),
});

/** Bytes that do not parse as a message: truncated varints, wrong wire types, lengths past the end. */
const invalidProtobuf: fc.Arbitrary<Buffer> = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 256 }).map((b) => Buffer.from(b)),
  fc
    .constantFrom(
      [0x0a, 0xff, 0xff, 0xff, 0x0f],
      [0x0a],
      [0x08, 0xff],
      [0x0f],
      [0x12, 0x05, 0x0a, 0x01],
      [0xff, 0xff],
    )
    .map((b) => Buffer.from(b)),
);

const streamStep: fc.Arbitrary<StreamStep> = fc.oneof(
  { weight: 5, arbitrary: audioChunk.map((audio) => ({ audio })) },
  { weight: 2, arbitrary: control.map((c) => ({ control: c })) },
  { weight: 1, arbitrary: streamConfig.map((config) => ({ config })) },
  { weight: 1, arbitrary: invalidProtobuf.map((rawMessage) => ({ rawMessage })) },
);

const streamEnding: fc.Arbitrary<StreamEnding> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ how: 'half-close' as const }) },
  {
    weight: 2,
    arbitrary: fc.integer({ min: 0, max: 400 }).map((afterMs) => ({ how: 'cancel' as const, afterMs })),
  },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 50, max: 500 })
      .map((cancelAfterMs) => ({ how: 'half-close-no-read' as const, cancelAfterMs })),
  },
);

const auth: fc.Arbitrary<GrpcAuth> = fc.oneof(
  { weight: 12, arbitrary: fc.constant('valid' as const) },
  {
    weight: 3,
    arbitrary: fc.constantFrom<GrpcAuth>(
      'none',
      'wrong',
      'empty-bearer',
      'basic',
      'lowercase',
      'twice',
      'huge',
    ),
  },
);

const streamCall: fc.Arbitrary<GrpcCall> = fc
  .record({
    auth,
    first: fc.oneof(
      { weight: 6, arbitrary: streamConfig.map((config): StreamStep[] => [{ config }]) },
      { weight: 1, arbitrary: audioChunk.map((audio): StreamStep[] => [{ audio }]) },
      { weight: 1, arbitrary: control.map((c): StreamStep[] => [{ control: c }]) },
      { weight: 1, arbitrary: invalidProtobuf.map((rawMessage): StreamStep[] => [{ rawMessage }]) },
      { weight: 1, arbitrary: fc.constant<StreamStep[]>([]) },
    ),
    rest: fc.array(streamStep, { maxLength: 6 }),
    ending: streamEnding,
  })
  .map(({ auth: a, first, rest, ending }) => ({
    rpc: 'StreamTranslate' as const,
    auth: a,
    steps: [...first, ...rest],
    ending,
  }));

const translateTextCall: fc.Arbitrary<GrpcCall> = fc.record({
  rpc: fc.constant('TranslateText' as const),
  auth,
  message: fc.oneof(
    {
      weight: 5,
      arbitrary: fc.record({ text: hostileString, sourceLanguage: languageCode, targetLanguages, glossary }),
    },
    { weight: 1, arbitrary: invalidProtobuf.map((rawMessage) => ({ rawMessage })) },
  ),
});

const listLanguagesCall: fc.Arbitrary<GrpcCall> = fc.record({
  rpc: fc.constant('ListLanguages' as const),
  auth,
  message: fc.oneof(
    fc.constant({}),
    invalidProtobuf.map((rawMessage) => ({ rawMessage })),
    // Unknown fields: a valid message of another type.
    fc.constant({ rawMessage: Buffer.from([0x0a, 0x03, 0x61, 0x62, 0x63, 0x10, 0x01]) }),
  ),
});

export const grpcCallArbitrary: fc.Arbitrary<GrpcCall> = fc.oneof(
  { weight: 7, arbitrary: streamCall },
  { weight: 2, arbitrary: translateTextCall },
  { weight: 1, arbitrary: listLanguagesCall },
);
