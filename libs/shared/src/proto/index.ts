import { join } from 'node:path';
import type { Options } from '@grpc/proto-loader';

/** Directory holding the .proto tree (shipped with the package, next to dist/). */
export const PROTO_ROOT = join(__dirname, '..', '..', 'proto');
export const PROTO_FILE = 'livetranslate/v1/live_translate.proto';
export const PROTO_PATH = join(PROTO_ROOT, PROTO_FILE);
export const PROTO_PACKAGE = 'livetranslate.v1';
export const SERVICE_NAME = 'LiveTranslate';
export const FULL_SERVICE_NAME = `${PROTO_PACKAGE}.${SERVICE_NAME}`;

/**
 * The loader options the server and every client use. They must match the flags of
 * `proto-loader-gen-types` in package.json so the generated types describe what arrives.
 */
export const PROTO_LOADER_OPTIONS: Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  arrays: true,
  oneofs: true,
  includeDirs: [PROTO_ROOT],
};

export type { StreamRequest, StreamRequest__Output } from '../generated/livetranslate/v1/StreamRequest';
export type { StreamResponse, StreamResponse__Output } from '../generated/livetranslate/v1/StreamResponse';
export type { StreamConfig, StreamConfig__Output } from '../generated/livetranslate/v1/StreamConfig';
export type { AudioChunk__Output } from '../generated/livetranslate/v1/AudioChunk';
export type { Control, Control__Output } from '../generated/livetranslate/v1/Control';
export type { Transcript, Transcript__Output } from '../generated/livetranslate/v1/Transcript';
export type { Translation, Translation__Output } from '../generated/livetranslate/v1/Translation';
export type { Event, Event__Output } from '../generated/livetranslate/v1/Event';
export type { SessionStarted, SessionStarted__Output } from '../generated/livetranslate/v1/SessionStarted';
export type {
  TranslateTextRequest,
  TranslateTextRequest__Output,
} from '../generated/livetranslate/v1/TranslateTextRequest';
export type {
  TranslateTextResponse,
  TranslateTextResponse__Output,
} from '../generated/livetranslate/v1/TranslateTextResponse';
export type {
  ListLanguagesResponse,
  ListLanguagesResponse__Output,
} from '../generated/livetranslate/v1/ListLanguagesResponse';
export type { Language, Language__Output } from '../generated/livetranslate/v1/Language';
export type { AudioEncoding } from '../generated/livetranslate/v1/AudioEncoding';
export type { Priority } from '../generated/livetranslate/v1/Priority';
export type { LiveTranslateClient } from '../generated/livetranslate/v1/LiveTranslate';
export type { ProtoGrpcType } from '../generated/live_translate';
