import * as protobuf from 'protobufjs';
import { PROTO_PATH } from '@olt/shared';
import { reproJson } from './repro-text';

export type GrpcAuth = 'valid' | 'none' | 'wrong' | 'empty-bearer' | 'basic' | 'lowercase' | 'twice' | 'huge';

/** A message as a plain object (field names in camelCase, enums as numbers so unknown ones can be sent). */
export type ProtoObject = Record<string, unknown>;

export type StreamStep =
  | { config: ProtoObject }
  | { audio: Buffer }
  | { control: ProtoObject }
  /** Bytes that are not a valid StreamRequest. */
  | { rawMessage: Buffer };

/** How the client leaves the call. */
export type StreamEnding =
  | { how: 'half-close' }
  | { how: 'cancel'; afterMs: number }
  /** Half-close, never read a response, cancel after a while (a client that went away without a RST). */
  | { how: 'half-close-no-read'; cancelAfterMs: number };

export type GrpcCall =
  | { rpc: 'StreamTranslate'; auth: GrpcAuth; steps: StreamStep[]; ending: StreamEnding }
  | { rpc: 'TranslateText' | 'ListLanguages'; auth: GrpcAuth; message: ProtoObject | { rawMessage: Buffer } };

let root: protobuf.Root | undefined;

/** protobufjs types of the wire contract: `encode` writes enum numbers as given, known to the proto or not. */
export function protoType(name: string): protobuf.Type {
  root ??= new protobuf.Root().loadSync(PROTO_PATH, { keepCase: false });
  return root.lookupType(`livetranslate.v1.${name}`);
}

export function encodeStreamStep(step: StreamStep): Buffer {
  if ('rawMessage' in step) return step.rawMessage;
  return Buffer.from(
    protoType('StreamRequest')
      .encode(step as ProtoObject)
      .finish(),
  );
}

export function encodeUnary(call: Extract<GrpcCall, { rpc: 'TranslateText' | 'ListLanguages' }>): Buffer {
  if ('rawMessage' in call.message) return call.message.rawMessage as Buffer;
  return Buffer.from(protoType(`${call.rpc}Request`).encode(call.message).finish());
}

/** The call as JSON, megabyte fields summarised: regenerate the exact bytes with the printed seed and index. */
export function describeGrpcCall(call: GrpcCall): string {
  return reproJson(call);
}

export function grpcCallLabel(call: GrpcCall): string {
  if (call.rpc !== 'StreamTranslate') return call.rpc;
  const kinds = call.steps.map((s) => Object.keys(s)[0]).join(',');
  return `StreamTranslate [${kinds}] ${call.ending.how}`;
}
