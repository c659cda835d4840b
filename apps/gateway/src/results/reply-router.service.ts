import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { Redis } from 'ioredis';
import {
  AppError,
  Metrics,
  QUEUE_REDIS,
  ReplyStreamReader,
  type ReplyReaderHealth,
  type WorkerReply,
} from '@olt/shared';
import { GatewayIdentity } from '../infra/gateway-identity';

/** Re-enqueues of one job found gone before the caller gives up waiting for it (result timeout). */
const MAX_RESENDS = 3;

interface Waiter {
  resolve: (reply: WorkerReply) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * Routes worker replies from this gateway's reply stream to whoever awaits them. Callers register with
 * expect() BEFORE enqueueing, so a fast reply cannot arrive unseen. Replies nobody awaits (a retried job
 * answering twice, a session that already ended) are dropped.
 */
@Injectable()
export class ReplyRouter implements OnModuleInit, OnApplicationShutdown {
  private readonly waiters = new Map<string, Waiter>();
  private reader?: ReplyStreamReader;
  private blockingConnection?: Redis;

  constructor(
    @Inject(QUEUE_REDIS) private readonly redis: Redis,
    private readonly identity: GatewayIdentity,
    private readonly metrics: Metrics,
    @InjectPinoLogger(ReplyRouter.name) private readonly logger: PinoLogger,
  ) {}

  async onModuleInit(): Promise<void> {
    this.blockingConnection = this.redis.duplicate({ connectionName: 'olt-queue-replies' });
    // Outages are reported once by the main connection and by the reader's errors; without a listener
    // ioredis prints every reconnect attempt as an unhandled error (a failover is several).
    this.blockingConnection.on('error', () => undefined);
    this.reader = new ReplyStreamReader(
      this.blockingConnection,
      this.identity.id,
      (reply) => this.dispatch(reply),
      (err) => this.logger.error({ err }, 'reply stream read failed; retrying'),
      {
        onRecreated: (reason) => {
          this.metrics.replyStreamRecreatedTotal.inc();
          this.logger.warn({ reason }, 'reply stream or its consumer group was gone: recreated');
        },
      },
    );
    await this.reader.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.reader?.stop();
    this.blockingConnection?.disconnect();
    for (const [id, waiter] of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new AppError('UNAVAILABLE', 'gateway is shutting down'));
      this.waiters.delete(id);
    }
  }

  /** Registers interest in one reply; rejects with DEADLINE_EXCEEDED after timeoutMs. */
  expect(requestId: string, timeoutMs: number): Promise<WorkerReply> {
    return new Promise<WorkerReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(requestId);
        reject(
          new AppError('DEADLINE_EXCEEDED', `no worker answered within ${Math.round(timeoutMs / 1000)} s`),
        );
      }, timeoutMs);
      this.waiters.set(requestId, { resolve, reject, timer });
    });
  }

  /**
   * One request/reply exchange with the workers: registers the waiter, enqueues (a failed enqueue is
   * UNAVAILABLE and leaves no waiter behind), then resolves with the reply of the expected kind.
   */
  async exchange<K extends WorkerReply['kind']>(opts: {
    requestId: string;
    kind: K;
    timeoutMs: number;
    /** What is being sent, for the error message ("the segment", "the translation"). */
    what: string;
    /** Stores what the job needs and adds it; idempotent (same job id), so it is also the resend. */
    enqueue: () => Promise<unknown>;
    /** Look for the job every `checkEveryMs` while waiting (0 = never) and enqueue it again when gone. */
    lost?: { checkEveryMs: number; exists: () => Promise<boolean> };
  }): Promise<Extract<WorkerReply, { kind: K }>> {
    const reply = this.expect(opts.requestId, opts.timeoutMs);
    try {
      await opts.enqueue();
    } catch (err) {
      this.cancel(opts.requestId);
      reply.catch(() => undefined);
      throw new AppError('UNAVAILABLE', `could not enqueue ${opts.what}: ${(err as Error).message}`);
    }
    const result = opts.lost?.checkEveryMs ? await this.resendIfLost(reply, opts, opts.lost) : await reply;
    if (result.kind !== opts.kind) {
      throw new AppError('INTERNAL', `unexpected ${result.kind} reply to a ${opts.kind} job`);
    }
    return result as Extract<WorkerReply, { kind: K }>;
  }

  /**
   * A job can vanish with the queue Redis's last writes (a restart between AOF fsyncs, a Sentinel failover
   * before the replica had it), and then nobody would ever answer. While the reply is awaited, look for the
   * job every checkEveryMs; when it is gone, enqueue it again. A reply that still comes from the first copy
   * wins and the second one finds no waiter, so the caller sees one result either way.
   */
  private async resendIfLost(
    reply: Promise<WorkerReply>,
    opts: { requestId: string; kind: string; enqueue: () => Promise<unknown> },
    lost: { checkEveryMs: number; exists: () => Promise<boolean> },
  ): Promise<WorkerReply> {
    let resends = 0;
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const tick = new Promise<'tick'>((resolve) => {
        timer = setTimeout(() => resolve('tick'), lost.checkEveryMs);
      });
      const outcome = await Promise.race([reply, tick]).finally(() => clearTimeout(timer));
      if (outcome !== 'tick') return outcome;
      if (resends >= MAX_RESENDS || !this.waiters.has(opts.requestId)) return reply;
      // Redis away: it cannot be told now; the next tick asks again.
      const exists = await lost.exists().catch(() => true);
      if (exists || !this.waiters.has(opts.requestId)) continue;
      resends++;
      this.metrics.lostJobsResentTotal.inc({ kind: opts.kind });
      this.logger.warn(
        { requestId: opts.requestId, kind: opts.kind, resends },
        'job gone from the queue before it was answered (lost with the queue Redis’s last writes); enqueued again',
      );
      await opts
        .enqueue()
        .catch((err: unknown) =>
          this.logger.warn(
            { requestId: opts.requestId, err },
            'could not enqueue the lost job again; retrying',
          ),
        );
    }
  }

  /** Stops waiting (the caller gave up, e.g. the enqueue failed or the session ended). */
  cancel(requestId: string): void {
    const waiter = this.waiters.get(requestId);
    if (!waiter) return;
    clearTimeout(waiter.timer);
    this.waiters.delete(requestId);
  }

  /** Whether worker replies can be read now (part of /readyz). */
  health(): ReplyReaderHealth {
    return this.reader?.health() ?? { ok: false, detail: 'reply reader not started' };
  }

  get pending(): number {
    return this.waiters.size;
  }

  private dispatch(reply: WorkerReply): void {
    const waiter = this.waiters.get(reply.requestId);
    if (!waiter) {
      this.logger.debug({ requestId: reply.requestId, kind: reply.kind }, 'reply without a waiter dropped');
      return;
    }
    clearTimeout(waiter.timer);
    this.waiters.delete(reply.requestId);
    waiter.resolve(reply);
  }
}
