import { connect } from 'node:net';
import type { LocalStack } from '../stack';

export interface LivenessReport {
  ok: boolean;
  /** One line per problem: an exited process (with its last output), a slow or failing /healthz, a silent Redis. */
  problems: string[];
  /** Streams the gateway counts as active (from /healthz), to spot leaked calls. */
  activeStreams?: number;
}

/** The check run after every batch: every process of the stack alive and /healthz 200 within 2 s. */
export async function checkStackLiveness(stack: LocalStack, healthTimeoutMs = 2000): Promise<LivenessReport> {
  const problems: string[] = [];
  let activeStreams: number | undefined;
  try {
    const res = await fetch(`${stack.httpUrl}/healthz`, { signal: AbortSignal.timeout(healthTimeoutMs) });
    const body = (await res.json()) as { streams?: number };
    if (res.status !== 200) problems.push(`/healthz answered ${res.status}`);
    activeStreams = body.streams;
  } catch (err) {
    problems.push(`/healthz did not answer 200 within ${healthTimeoutMs} ms: ${(err as Error).message}`);
    // A process that just died may not have reported its exit yet: give it a moment, for its last words.
    await new Promise((r) => setTimeout(r, 300));
  }
  for (const p of [stack.gateway, ...stack.workers]) {
    if (!p.running && !p.intentionallyStopped) {
      const { exitCode, signalCode } = p.child;
      problems.push(
        `${p.opts.label} (pid ${p.pid}) exited (code ${exitCode}, signal ${signalCode}):\n${p.recentOutput()}`,
      );
    }
  }
  for (const url of [stack.queueRedisUrl, stack.cacheRedisUrl]) {
    if (!(await redisAnswersPing(url, healthTimeoutMs))) problems.push(`Redis ${url} did not answer PING`);
  }
  return { ok: problems.length === 0, problems, activeStreams };
}

function redisAnswersPing(url: string, timeoutMs: number): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port || 6379) });
    const finish = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d: Buffer) => finish(d.toString().startsWith('+PONG')));
    socket.on('error', () => finish(false));
  });
}
