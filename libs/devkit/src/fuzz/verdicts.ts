import { status } from '@grpc/grpc-js';
import type { GrpcAnswer } from './grpc-call-runner';
import type { HttpAnswer } from './raw-http-exchange';

/**
 * - ok: a clear answer (2xx–4xx; an OK or a non-INTERNAL gRPC status with a message).
 * - allowed: a known, accepted non-answer (grpc-js's own "Error deserializing request" for bytes that are
 *   not a message; a connection closed on raw garbage).
 * - finding: what the other teams fix: 5xx, INTERNAL/UNKNOWN, an error without a message, no answer at all.
 */
export type Verdict = { kind: 'ok' } | { kind: 'allowed' | 'finding'; reason: string };

/**
 * `framingError`: the input breaks HTTP framing (a chunk size that lies, a method Node's parser does not
 * know) or carries a body of 64 KiB or more. Node answers such a request early and closes while the
 * client is still writing, so the client may see a reset instead of the answer: allowed, not a finding.
 */
export function judgeHttp(
  answer: HttpAnswer,
  opts: { raw: boolean; path: string; framingError: boolean },
): Verdict {
  if (answer.status !== undefined) {
    // /readyz answers 503 by design while a dependency is down.
    if (answer.status >= 500 && !(answer.status === 503 && opts.path.startsWith('/readyz'))) {
      return { kind: 'finding', reason: `HTTP ${answer.status} ${firstLine(answer.bodyStart)}` };
    }
    return { kind: 'ok' };
  }
  if (opts.raw && answer.noAnswer === 'closed')
    return { kind: 'allowed', reason: 'connection closed on raw bytes' };
  // Raw bytes that promise more (a chunk size that lies, a short body) leave the server waiting for the
  // rest, as HTTP says it must; the gateway's requestTimeout (30 s) ends that wait, and the liveness
  // check after each batch would catch a server that stopped answering others.
  if (opts.raw && answer.noAnswer === 'timeout')
    return {
      kind: 'allowed',
      reason: 'incomplete raw request: the server waits for the rest (requestTimeout)',
    };
  if (opts.framingError && (answer.noAnswer === 'reset' || answer.noAnswer === 'closed'))
    return {
      kind: 'allowed',
      reason: `early answer and close while the request was still being sent (${answer.noAnswer})`,
    };
  if (answer.noAnswer === 'refused') return { kind: 'finding', reason: 'connection refused (process down?)' };
  return { kind: 'finding', reason: `no HTTP answer (${answer.noAnswer})` };
}

export function judgeGrpc(answer: GrpcAnswer): Verdict {
  const { code, details } = answer;
  if (code === status.OK) return { kind: 'ok' };
  if (code === status.CANCELLED && answer.cancelledByUs) return { kind: 'ok' };
  const name = status[code] ?? String(code);
  if (code === status.DEADLINE_EXCEEDED)
    return { kind: 'finding', reason: `no status within the deadline (${details})` };
  if (code === status.INTERNAL && /Error deserializing request|Failed to parse/i.test(details)) {
    return { kind: 'allowed', reason: `INTERNAL: ${details}` };
  }
  // grpc-js refuses, on the client side, to send two authorization entries: the server never saw the call.
  if (code === status.INTERNAL && /"authorization" metadata cannot have multiple values/.test(details)) {
    return { kind: 'allowed', reason: `refused by the grpc-js client: ${details}` };
  }
  if (code === status.INTERNAL || code === status.UNKNOWN)
    return { kind: 'finding', reason: `${name}: ${details}` };
  if (!details.trim()) return { kind: 'finding', reason: `${name} with an empty message` };
  return { kind: 'ok' };
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.slice(0, 160);
}
