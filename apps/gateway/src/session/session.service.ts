import { Injectable, type BeforeApplicationShutdown, type OnModuleDestroy } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import { AppError, ConfigService, Metrics, resourceExhausted, toGrpcStatus, unavailable } from '@olt/shared';
import { AsrDispatcher } from '../asr';
import { AudioPipelineFactory } from './audio-pipeline.factory';
import { InterimBudget } from './interim-budget';
import { UnexpectedErrors } from '../infra/unexpected-errors';
import { ApiKeyAuthenticator } from '../tenancy/api-key-authenticator';
import { TranslationService } from '../translate/translation.service';
import { SessionFanout } from './session-fanout';
import { GatewayIdentity } from '../infra/gateway-identity';
import { TenantStreamLeases, type LeaseOutcome, type StreamLease } from '../tenancy/tenant-stream-leases';
import type { Tenant } from '../tenancy/tenant';
import { SessionRegistry } from './session-registry';
import { StreamSession, type StreamCall } from './stream-session';

export interface IncomingCall extends StreamCall {
  metadata: { get(key: string): Array<string | Buffer> };
  removeListener?(event: 'cancelled', listener: () => void): unknown;
}

/**
 * Admits StreamTranslate calls (auth, this gateway's capacity, the tenant's fleet-wide stream leases,
 * draining) and runs a StreamSession for each.
 */
@Injectable()
export class SessionService implements BeforeApplicationShutdown, OnModuleDestroy {
  private draining = false;
  private readonly live = new Set<StreamSession>();
  private readonly interimBudget = new InterimBudget();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly config: ConfigService,
    private readonly auth: ApiKeyAuthenticator,
    private readonly registry: SessionRegistry,
    private readonly leases: TenantStreamLeases,
    private readonly identity: GatewayIdentity,
    private readonly pipelines: AudioPipelineFactory,
    private readonly asr: AsrDispatcher,
    private readonly translation: TranslationService,
    private readonly metrics: Metrics,
    private readonly fanout: SessionFanout,
    private readonly unexpected: UnexpectedErrors,
    @InjectPinoLogger(SessionService.name) private readonly logger: PinoLogger,
  ) {
    this.unsubscribe = config.onChange((next) => {
      for (const session of this.live) session.applyVadConfig(next.vad);
    });
  }

  /** Resolves when the call is over (never rejects: errors go to the client as a status). */
  async open(call: IncomingCall): Promise<void> {
    let tenantId = 'unknown';
    let lease: StreamLease | undefined;
    // The client may give up while admission waits for Redis; the session's own listeners come later.
    let cancelledEarly = false;
    const onEarlyCancel = () => (cancelledEarly = true);
    call.on('cancelled', onEarlyCancel);
    try {
      if (this.draining) {
        throw unavailable(
          'this gateway is draining: reconnect (another gateway will take the stream) and resume with resume_from_ms',
        );
      }
      const tenant = this.auth.authenticateMetadata(call.metadata.get('authorization'));
      tenantId = tenant.id;
      const cfg = this.config.current;
      if (this.registry.size >= cfg.gateway.maxStreams) {
        throw resourceExhausted(
          `this gateway is at capacity (${cfg.gateway.maxStreams} streams): retry shortly or on another gateway`,
        );
      }
      const callId = randomUUID();
      // Counted before the await, so concurrent admissions on this gateway cannot overshoot max_streams.
      this.registry.add();
      let outcome: LeaseOutcome;
      try {
        outcome = await this.leases.acquire(tenant.id, `${this.identity.id}:${callId}`, tenant.maxStreams);
      } catch (err) {
        this.registry.remove();
        throw err;
      }
      if (!outcome.admitted) {
        this.registry.remove();
        throw resourceExhausted(
          `tenant "${tenant.id}" already has ${outcome.held} open streams, the most its plan allows ` +
            `(${tenant.maxStreams}, counted across all gateways)`,
        );
      }
      lease = outcome.lease;
      if (cancelledEarly || this.draining) {
        lease.release();
        this.registry.remove();
        if (cancelledEarly) return;
        throw unavailable('this gateway is draining: reconnect and resume with resume_from_ms');
      }
      await this.run(call, tenant, callId, lease);
    } catch (err) {
      if (!(err instanceof AppError))
        this.unexpected.report('grpc', err, { method: 'StreamTranslate', tenantId });
      const status = toGrpcStatus(err);
      this.metrics.streamsTotal.inc({ tenant: tenantId, outcome: 'rejected' });
      this.metrics.grpcErrorsTotal.inc({ code: String(status.code) });
      call.emit('error', { code: status.code, details: status.details, message: status.details });
    } finally {
      call.removeListener?.('cancelled', onEarlyCancel);
    }
  }

  /** Runs an admitted call's session; resolves when it is closed. */
  private run(call: IncomingCall, tenant: Tenant, callId: string, lease: StreamLease): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const giveBack = () => {
        lease.release();
        this.registry.remove();
        this.metrics.streamsActive.dec({ tenant: tenant.id });
      };
      this.metrics.streamsActive.inc({ tenant: tenant.id });
      let session: StreamSession;
      try {
        session = this.createSession(call, tenant, callId, () => {
          this.live.delete(session);
          giveBack();
          resolve();
        });
      } catch (err) {
        giveBack();
        reject(err);
        return;
      }
      this.live.add(session);
      session.start();
    });
  }

  private createSession(call: IncomingCall, tenant: Tenant, callId: string, done: () => void): StreamSession {
    const fanout = this.fanout.forCall(tenant.id, callId);
    const session = new StreamSession(call, {
      tenant,
      config: () => this.config.current,
      createPipeline: (settings) => this.pipelines.create(settings),
      asr: this.asr,
      translation: this.translation,
      interimBudget: this.interimBudget,
      now: () => Date.now(),
      metrics: this.metrics,
      logger: this.logger.logger,
      fanout,
      newSessionId: () => randomUUID(),
      callId,
      reportUnexpected: (err, sessionId) =>
        this.unexpected.report('grpc', err, {
          requestId: callId,
          method: 'StreamTranslate',
          tenantId: tenant.id,
          sessionId,
        }),
      onClosed: (outcome) => {
        if (session.sessionId) fanout.closed(session.sessionId);
        this.metrics.streamsTotal.inc({ tenant: tenant.id, outcome });
        done();
      },
    });
    return session;
  }

  get activeStreams(): number {
    return this.registry.size;
  }

  /**
   * SIGTERM (rolling update, node drain): refuse new streams; every open stream stops taking audio, has
   * its in-flight segments finished and delivered (up to gateway.drain_timeout_ms in all), then ends with
   * UNAVAILABLE so its client resumes elsewhere from its resume point (StreamSession.drain). Runs before
   * the gRPC server is shut down.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.draining = true;
    const timeoutMs = this.config.current.gateway.drainTimeoutMs;
    if (this.live.size)
      this.logger.info({ streams: this.live.size }, 'draining: delivering in-flight results');
    await Promise.all(
      [...this.live].map((session) =>
        session.drain(
          'this gateway is shutting down: reconnect and resume with resume_from_ms (docs/protocol.md)',
          timeoutMs,
        ),
      ),
    );
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }
}
