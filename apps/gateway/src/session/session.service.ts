import { Injectable, type BeforeApplicationShutdown, type OnModuleDestroy } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import { AppError, ConfigService, Metrics, resourceExhausted, toGrpcStatus, unavailable } from '@olt/shared';
import { AsrDispatcher } from '../asr';
import { AudioPipelineFactory } from './audio-pipeline.factory';
import { InterimBudget } from './interim-budget';
import { UnexpectedErrors } from '../rest/unexpected-errors';
import { ApiKeyAuthenticator } from '../tenancy/api-key-authenticator';
import { TranslationService } from '../translate/translation.service';
import { SessionFanout } from './session-fanout';
import { SessionRegistry } from './session-registry';
import { StreamSession, type StreamCall } from './stream-session';

export interface IncomingCall extends StreamCall {
  metadata: { get(key: string): Array<string | Buffer> };
}

/** Admits StreamTranslate calls (auth, capacity, draining) and runs a StreamSession for each. */
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
  open(call: IncomingCall): Promise<void> {
    return new Promise<void>((resolve) => {
      let tenantId = 'unknown';
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
        if (this.registry.countFor(tenant.id) >= tenant.maxStreams) {
          throw resourceExhausted(
            `tenant "${tenant.id}" already has ${tenant.maxStreams} open streams, the most its plan allows`,
          );
        }
        this.registry.add(tenant.id);
        this.metrics.streamsActive.inc({ tenant: tenant.id });
        const callId = randomUUID();
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
            this.live.delete(session);
            this.registry.remove(tenant.id);
            this.metrics.streamsActive.dec({ tenant: tenant.id });
            this.metrics.streamsTotal.inc({ tenant: tenant.id, outcome });
            resolve();
          },
        });
        this.live.add(session);
        session.start();
      } catch (err) {
        if (!(err instanceof AppError))
          this.unexpected.report('grpc', err, { method: 'StreamTranslate', tenantId });
        const status = toGrpcStatus(err);
        this.metrics.streamsTotal.inc({ tenant: tenantId, outcome: 'rejected' });
        this.metrics.grpcErrorsTotal.inc({ code: String(status.code) });
        call.emit('error', { code: status.code, details: status.details, message: status.details });
        resolve();
      }
    });
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
