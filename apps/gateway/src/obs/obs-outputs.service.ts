import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { ConfigService, DependencyBreaker, Metrics, type StreamResponse__Output } from '@olt/shared';
import {
  ObsSubtitleOutput,
  errorCode,
  obsOutputSettings,
  type ObsOutputSettings,
  type ObsOutputStatus,
  type ObsSocketPort,
} from '@olt/shared/dist/obs';
import { callKey, type CallRef } from '../tenancy/call-ref';

/**
 * The OBS outputs of this gateway's sessions: a session attaches its outputs when it starts, publishes
 * every response it sends to its client, and detaches when it ends. OBS being away never fails a session:
 * each output reconnects on its own and reports a status.
 *
 * A session uses the OBS servers its StreamConfig.obs_outputs names (when the operator allows it), else
 * the gateway's `[obs]` section (`settingsFromConfig`).
 */
@Injectable()
export class ObsOutputs implements OnModuleDestroy {
  /** By callKey: outputs belong to one call of one tenant, never to a bare (client-chosen) session id. */
  private readonly byCall = new Map<
    string,
    Array<{ output: ObsSubtitleOutput; breaker: DependencyBreaker }>
  >();
  /** Outputs whose circuit is open now: olt_circuit_open{breaker="obs"}. */
  private openCircuits = 0;
  /** Tests point outputs at something else than obs-websocket-js; production leaves it unset. */
  socketFactory?: () => ObsSocketPort;

  constructor(
    private readonly config: ConfigService,
    @InjectPinoLogger(ObsOutputs.name) private readonly logger: PinoLogger,
    private readonly metrics: Metrics,
  ) {
    this.metrics.get('circuitOpen').set({ breaker: 'obs' }, 0);
  }

  /** The gateway's `[obs]` settings, or undefined when `obs.enabled` is false. */
  settingsFromConfig(): ObsOutputSettings | undefined {
    const { enabled, allowSessionOutputs: _allow, maxSessionOutputs: _max, ...obs } = this.config.current.obs;
    return enabled ? obsOutputSettings(obs) : undefined;
  }

  /**
   * Starts an OBS output for the session (several may be attached). Without settings, uses `[obs]` and
   * does nothing when that is disabled. Returns the output, for its status.
   */
  attach(call: CallRef, settings = this.settingsFromConfig()): ObsSubtitleOutput | undefined {
    if (!settings) return undefined;
    const log = this.logger.logger.child({ sessionId: call.sessionId, tenantId: call.tenantId });
    const breaker = this.breakerFor(settings.url, log);
    const output = new ObsSubtitleOutput(settings, {
      log: { info: (o, m) => log.info(o, m), warn: (o, m) => log.warn(o, m) },
      socketFactory: this.socketFactory,
      breaker,
    }).start();
    const key = callKey(call);
    this.byCall.set(key, [...(this.byCall.get(key) ?? []), { output, breaker }]);
    return output;
  }

  /** Passes one response the call sent to its client on to the call's OBS outputs. */
  publish(call: CallRef, response: StreamResponse__Output): void {
    for (const { output } of this.byCall.get(callKey(call)) ?? []) output.publish(response);
  }

  status(call: CallRef): ObsOutputStatus[] {
    return (this.byCall.get(callKey(call)) ?? []).map(({ output }) => output.status());
  }

  async detach(call: CallRef): Promise<void> {
    await this.stop(callKey(call));
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([...this.byCall.keys()].map((key) => this.stop(key)));
  }

  private async stop(key: string): Promise<void> {
    const outputs = this.byCall.get(key) ?? [];
    this.byCall.delete(key);
    await Promise.all(
      outputs.map(async ({ output, breaker }) => {
        await output.stop();
        if (breaker.state === 'open') this.countOpen(-1);
        breaker.shutdown();
      }),
    );
  }

  /**
   * Each output's own circuit breaker: requests to its OBS run under resilience.request_timeout_ms, and an
   * OBS that keeps failing (not answering, connection gone) is not called until a half-open probe finds it
   * again. An error OBS answers with (a request status code) is OBS working, not failing.
   */
  private breakerFor(url: string, log: { warn(o: object, m: string): void }): DependencyBreaker {
    const r = this.config.current.resilience;
    let open = false;
    return new DependencyBreaker(
      'obs',
      `OBS at ${url}`,
      {
        timeoutMs: r.requestTimeoutMs,
        errorPercent: r.breakerErrorPercent,
        minCalls: r.breakerMinCalls,
        windowMs: r.breakerWindowMs,
        resetMs: r.breakerResetMs,
        isFailure: (err) => errorCode(err) === undefined,
      },
      (_name, state) => {
        if ((state === 'open') === open) return;
        open = state === 'open';
        this.countOpen(open ? 1 : -1);
        if (open) log.warn({ url }, 'OBS keeps failing: its circuit is open, requests fail fast');
      },
    );
  }

  private countOpen(delta: number): void {
    this.openCircuits += delta;
    this.metrics.get('circuitOpen').set({ breaker: 'obs' }, this.openCircuits);
  }
}
