import * as grpc from '@grpc/grpc-js';
import type * as fc from 'fast-check';
import { METHODS } from 'node:http';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../stack';
import { grpcCallArbitrary } from './grpc-arbitraries';
import { describeGrpcCall, grpcCallLabel, type GrpcCall } from './grpc-call';
import { runGrpcCall } from './grpc-call-runner';
import { httpInputArbitrary, upgradeRequest, type HttpTargets } from './http-arbitraries';
import { describeHttpInput, encodeHttpInput, httpInputLabel, type HttpInput } from './http-input';
import { discoverHttpRoutes } from './http-routes';
import { sampleAt } from './input-seeds';
import { openLiveSession, type LiveSession } from './live-session';
import { rawHttpExchange } from './raw-http-exchange';
import { checkStackLiveness } from './stack-liveness';
import { judgeGrpc, judgeHttp, type Verdict } from './verdicts';

export type FuzzTarget = 'http' | 'ws' | 'grpc';

export interface FuzzOptions {
  seed: number;
  http: number;
  /** WebSocket upgrade requests only (HTTP inputs include some too). */
  ws: number;
  grpc: number;
  /** Inputs between two liveness checks. */
  batchSize?: number;
  /** Inputs in flight at once (the crash suspect list is the batch either way). */
  concurrency?: number;
  /** Run only these inputs (replay of a repro). */
  only?: Array<{ target: FuzzTarget; index: number }>;
  /** Per-call deadline for gRPC, per-request for HTTP is a third of it. */
  deadlineMs?: number;
  log?: (line: string) => void;
  stack?: LocalStackOptions;
}

export interface FuzzFinding {
  target: FuzzTarget;
  index: number;
  label: string;
  reason: string;
  repro: string;
}

export interface FuzzCrash {
  target: FuzzTarget;
  /** Input indices of the batch after which the stack was found dead or hung. */
  batch: number[];
  /** Inputs of the batch that got no answer: the likeliest culprits, first one first. */
  suspects: FuzzFinding[];
  problems: string[];
}

export interface FuzzReport {
  seed: number;
  sent: Record<FuzzTarget, number>;
  /** Answers by class: HTTP status class ("4xx"), gRPC status name, or "no answer". */
  answers: Record<FuzzTarget, Record<string, number>>;
  findings: FuzzFinding[];
  allowed: FuzzFinding[];
  crashes: FuzzCrash[];
  ms: Record<FuzzTarget, number>;
  /** Streams the gateway still counted as active after the gRPC phase (and a pause); leaked slots. */
  leakedStreams?: number;
  logDirs: string[];
}

const API_KEY = 'fuzz-key';
const LIVE_SESSION = 'fuzz-live';

interface Outcome {
  index: number;
  verdict: Verdict;
  answerClass: string;
  label: string;
  repro: () => string;
  noAnswer: boolean;
  /** The connection was refused: the process was already gone when this input was sent. */
  refused: boolean;
}

/**
 * A fuzz run: starts the local stack, sends generated HTTP/WS inputs and gRPC calls in batches, checks the
 * stack after each batch (restarting it after a crash so the run goes on), and collects what went wrong.
 */
export async function runFuzzCampaign(opts: FuzzOptions): Promise<FuzzReport> {
  const log = opts.log ?? (() => undefined);
  const batchSize = opts.batchSize ?? 50;
  const concurrency = opts.concurrency ?? 4;
  const deadlineMs = opts.deadlineMs ?? 10_000;
  const report: FuzzReport = {
    seed: opts.seed,
    sent: { http: 0, ws: 0, grpc: 0 },
    answers: { http: {}, ws: {}, grpc: {} },
    findings: [],
    allowed: [],
    crashes: [],
    ms: { http: 0, ws: 0, grpc: 0 },
    logDirs: [],
  };
  let env = await startEnvironment(opts.stack, log);
  report.logDirs.push(env.stack.logDir);
  try {
    for (const target of ['http', 'ws', 'grpc'] as const) {
      const indices = opts.only
        ? opts.only.filter((o) => o.target === target).map((o) => o.index)
        : Array.from({ length: opts[target] }, (_, i) => i);
      const started = performance.now();
      const queue = [...indices];
      const requeued = new Set<number>();
      let batches = 0;
      while (queue.length > 0) {
        const batch = queue.splice(0, batchSize);
        const current = env;
        // Stop taking inputs as soon as a process is gone: what follows would only meet a dead port.
        const { results: outcomes, untaken } = await mapUntil(
          batch,
          concurrency,
          () => !allRunning(current.stack),
          (index) =>
            target === 'grpc'
              ? sendGrpc(current, opts.seed, index, deadlineMs)
              : sendHttp(
                  current,
                  target === 'ws' ? current.wsInputs : current.httpInputs,
                  opts.seed,
                  index,
                  deadlineMs / 3,
                ),
        );
        const live = await checkStackLiveness(env.stack);
        // In a crashed batch, inputs refused by the dead port were never judged: send them again, once.
        const lost = live.ok
          ? []
          : outcomes.filter((o) => o.refused && !requeued.has(o.index)).map((o) => o.index);
        for (const index of [...lost, ...untaken]) requeued.add(index);
        queue.unshift(...lost, ...untaken);
        for (const o of outcomes) {
          if (lost.includes(o.index)) continue;
          report.sent[target]++;
          report.answers[target][o.answerClass] = (report.answers[target][o.answerClass] ?? 0) + 1;
          // An unanswered input in a crashed batch is a crash suspect, not a finding of its own.
          if (o.verdict.kind === 'ok' || (!live.ok && o.noAnswer)) continue;
          const finding = {
            target,
            index: o.index,
            label: o.label,
            reason: o.verdict.reason,
            repro: o.repro(),
          };
          (o.verdict.kind === 'finding' ? report.findings : report.allowed).push(finding);
          if (o.verdict.kind === 'finding')
            log(`finding ${target}:${o.index} ${o.label}: ${o.verdict.reason}`);
        }
        if (!live.ok) {
          const suspects = outcomes
            .filter((o) => o.noAnswer && !lost.includes(o.index))
            .map((o) => ({
              target,
              index: o.index,
              label: o.label,
              reason: 'no answer in a batch that crashed',
              repro: o.repro(),
            }));
          report.crashes.push({
            target,
            batch: outcomes.map((o) => o.index),
            suspects,
            problems: live.problems,
          });
          log(
            `CRASH after ${target} inputs ${batch[0]}..${batch.at(-1)}: ${live.problems.join(' | ').slice(0, 300)}`,
          );
          await env.stop();
          env = await startEnvironment(opts.stack, log);
          report.logDirs.push(env.stack.logDir);
        }
        if (++batches % 20 === 0)
          log(
            `${target}: ${report.sent[target]}/${indices.length} sent, ${report.findings.length} findings, ${report.crashes.length} crashes`,
          );
      }
      report.ms[target] = performance.now() - started;
    }
    if (report.sent.grpc > 0) {
      // Calls the fuzzer ended should release their slots; what stays counted after a pause leaked.
      await new Promise((r) => setTimeout(r, 3000));
      const live = await checkStackLiveness(env.stack);
      report.leakedStreams = Math.max(0, (live.activeStreams ?? 0) - 1);
    }
  } finally {
    await env.stop();
  }
  return report;
}

interface Environment {
  stack: LocalStack;
  targets: HttpTargets;
  httpInputs: fc.Arbitrary<HttpInput>;
  wsInputs: fc.Arbitrary<HttpInput>;
  grpcClient: grpc.Client;
  live: LiveSession;
  stop(): Promise<void>;
}

async function startEnvironment(
  stackOptions: LocalStackOptions | undefined,
  log: (l: string) => void,
): Promise<Environment> {
  const t0 = performance.now();
  const stack = await startLocalStack({ apiKeys: { fuzz: API_KEY }, ...stackOptions });
  try {
    const live = await openLiveSession(stack.grpcAddress, API_KEY, LIVE_SESSION);
    const routes = await discoverHttpRoutes(stack.httpUrl);
    const targets = {
      routes,
      apiKey: API_KEY,
      liveSessionId: live.sessionId,
      overlayToken: live.overlayToken,
    };
    const grpcClient = new grpc.Client(stack.grpcAddress, grpc.credentials.createInsecure(), {
      'grpc.max_send_message_length': -1,
      'grpc.max_receive_message_length': -1,
    });
    log(
      `stack up in ${Math.round(performance.now() - t0)} ms (logs: ${stack.logDir}); ${routes.length} routes`,
    );
    return {
      stack,
      targets,
      httpInputs: httpInputArbitrary(targets),
      wsInputs: upgradeRequest(targets),
      grpcClient,
      live,
      stop: async () => {
        live.close();
        grpcClient.close();
        await stack.stop();
      },
    };
  } catch (err) {
    await stack.stop();
    throw err;
  }
}

async function sendHttp(
  env: Environment,
  inputs: fc.Arbitrary<HttpInput>,
  seed: number,
  index: number,
  timeoutMs: number,
): Promise<Outcome> {
  const input = sampleAt(inputs, seed, index);
  const { hostname, port } = new URL(env.stack.httpUrl);
  const answer = await rawHttpExchange(hostname, Number(port), encodeHttpInput(input), timeoutMs);
  const path = input.kind === 'raw' ? '' : input.target;
  return {
    index,
    verdict: judgeHttp(answer, { raw: input.kind === 'raw', path, framingError: breaksFraming(input) }),
    answerClass:
      answer.status !== undefined ? `${Math.floor(answer.status / 100)}xx` : `no answer (${answer.noAnswer})`,
    label: httpInputLabel(input),
    repro: () => describeHttpInput(input),
    noAnswer: answer.status === undefined,
    refused: answer.noAnswer === 'refused',
  };
}

function breaksFraming(input: HttpInput): boolean {
  if (input.kind === 'raw') return true;
  const chunked = input.headers.some(([n, v]) => /^transfer-encoding$/i.test(n) && /chunked/i.test(v));
  // Over Node's max header size (16 KiB) the parser answers 431 and closes while the rest is still sent.
  const headBytes = input.target.length + input.headers.reduce((n, [k, v]) => n + k.length + v.length + 4, 0);
  return (
    chunked || headBytes >= 16 * 1024 || input.body.length >= 64 * 1024 || !METHODS.includes(input.method)
  );
}

async function sendGrpc(env: Environment, seed: number, index: number, deadlineMs: number): Promise<Outcome> {
  const call: GrpcCall = sampleAt(grpcCallArbitrary, seed, index);
  const answer = await runGrpcCall(env.grpcClient, call, API_KEY, deadlineMs);
  return {
    index,
    verdict: judgeGrpc(answer),
    answerClass: grpc.status[answer.code] ?? String(answer.code),
    label: grpcCallLabel(call),
    repro: () => describeGrpcCall(call),
    noAnswer:
      answer.code === grpc.status.DEADLINE_EXCEEDED ||
      /Connection dropped|No connection/i.test(answer.details),
    refused: /ECONNREFUSED|No connection established/i.test(answer.details),
  };
}

function allRunning(stack: LocalStack): boolean {
  return [stack.gateway, ...stack.workers].every((p) => p.running || p.intentionallyStopped);
}

/** Runs fn over items, `limit` at a time, taking no new item once `stop()` says so. */
async function mapUntil<T, R>(
  items: T[],
  limit: number,
  stop: () => boolean,
  fn: (item: T) => Promise<R>,
): Promise<{ results: R[]; untaken: T[] }> {
  const results: R[] = [];
  let next = 0;
  const lane = async () => {
    while (next < items.length && !stop()) results.push(await fn(items[next++]!));
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return { results, untaken: items.slice(next) };
}
