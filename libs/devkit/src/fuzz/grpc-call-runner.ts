import * as grpc from '@grpc/grpc-js';
import { encodeStreamStep, encodeUnary, type GrpcAuth, type GrpcCall } from './grpc-call';

const SERVICE = '/livetranslate.v1.LiveTranslate';
/** Our serializer: the fuzzer encodes (or makes up) every message's bytes itself. */
const rawBytes = (b: Buffer): Buffer => b;

export interface GrpcAnswer {
  /** Final status; DEADLINE_EXCEEDED here means the server never ended the call within the fuzzer's deadline. */
  code: grpc.status;
  details: string;
  responses: number;
  /** The fuzzer cancelled the call on purpose (its CANCELLED is not the server's answer). */
  cancelledByUs: boolean;
  ms: number;
}

export function authMetadata(auth: GrpcAuth, apiKey: string): grpc.Metadata {
  const md = new grpc.Metadata();
  const value: Record<GrpcAuth, string | undefined> = {
    valid: `Bearer ${apiKey}`,
    none: undefined,
    wrong: 'Bearer wrong-key',
    'empty-bearer': 'Bearer ',
    basic: 'Basic dXNlcjpwYXNz',
    lowercase: `bearer ${apiKey}`,
    twice: `Bearer ${apiKey}`,
    huge: `Bearer ${'k'.repeat(6000)}`,
  };
  if (value[auth] !== undefined) md.set('authorization', value[auth]);
  if (auth === 'twice') md.add('authorization', 'Bearer wrong-key');
  return md;
}

/** Runs one generated call against the gateway and reports how the server ended it. */
export function runGrpcCall(
  client: grpc.Client,
  call: GrpcCall,
  apiKey: string,
  deadlineMs: number,
): Promise<GrpcAnswer> {
  const started = performance.now();
  const deadline = Date.now() + deadlineMs;
  const md = authMetadata(call.auth, apiKey);
  return new Promise((resolve) => {
    let responses = 0;
    let cancelledByUs = false;
    const done = (err: grpc.ServiceError | null) =>
      resolve({
        code: err ? err.code : grpc.status.OK,
        details: err ? err.details : '',
        responses,
        cancelledByUs,
        ms: performance.now() - started,
      });
    if (call.rpc !== 'StreamTranslate') {
      client.makeUnaryRequest(
        `${SERVICE}/${call.rpc}`,
        rawBytes,
        rawBytes,
        encodeUnary(call),
        md,
        { deadline },
        (err) => {
          responses = err ? 0 : 1;
          done(err);
        },
      );
      return;
    }
    const stream = client.makeBidiStreamRequest(`${SERVICE}/StreamTranslate`, rawBytes, rawBytes, md, {
      deadline,
    });
    let settled = false;
    const settle = (err: grpc.ServiceError | null) => {
      if (settled) return;
      settled = true;
      done(err);
    };
    stream.on('status', (s: grpc.StatusObject) =>
      settle(
        s.code === grpc.status.OK ? null : (Object.assign(new Error(s.details), s) as grpc.ServiceError),
      ),
    );
    stream.on('error', () => undefined);
    if (call.ending.how !== 'half-close-no-read') stream.on('data', () => responses++);
    for (const step of call.steps) stream.write(encodeStreamStep(step));
    const cancel = () => {
      cancelledByUs = true;
      stream.cancel();
      // A paused stream (never read) holds its status back until what it buffered is drained.
      stream.resume();
    };
    // grpc-js reports a status for every call; this only guards the fuzzer against waiting forever.
    setTimeout(() => {
      const lost = { code: grpc.status.DEADLINE_EXCEEDED, details: 'no status from the client library' };
      settle(Object.assign(new Error(lost.details), lost) as grpc.ServiceError);
    }, deadlineMs + 3000).unref();
    switch (call.ending.how) {
      case 'half-close':
        stream.end();
        break;
      case 'cancel':
        setTimeout(cancel, call.ending.afterMs);
        break;
      case 'half-close-no-read':
        stream.end();
        setTimeout(() => {
          if (!settled) cancel();
        }, call.ending.cancelAfterMs);
        break;
    }
  });
}
