import CircuitBreaker from 'opossum';
import { AppError } from '../errors';

export interface BreakerSettings {
  /** Deadline of one call; a call past it fails (UNAVAILABLE) and counts as a failure. */
  timeoutMs: number;
  /** Failures (in percent of the calls in the window) that open the circuit… */
  errorPercent: number;
  /** …once the window holds at least this many calls. */
  minCalls: number;
  /** Length of the rolling window the percentage is computed over. */
  windowMs: number;
  /** How long an open circuit fails fast before one probe call is let through (half-open). */
  resetMs: number;
  /**
   * Whether an error says the dependency is failing (counts toward opening). Default: anything but an
   * AppError that is the caller's fault (codes other than UNAVAILABLE / DEADLINE_EXCEEDED).
   */
  isFailure?: (err: unknown) => boolean;
}

const dependencyFailing = (err: unknown) =>
  !(err instanceof AppError) || err.code === 'UNAVAILABLE' || err.code === 'DEADLINE_EXCEEDED';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerObserver {
  /** Called on every state change (metrics: olt_circuit_open{breaker}; logs). */
  (name: string, state: BreakerState): void;
}

type Action = () => Promise<unknown>;

/**
 * A circuit breaker (opossum) around one dependency: each call runs under a deadline; when too many calls
 * fail, the circuit opens and calls fail at once with UNAVAILABLE instead of waiting on a dependency that
 * is down; after resetMs one probe is let through (half-open) and its success closes the circuit again.
 * Errors that are the caller's fault (an AppError other than UNAVAILABLE / DEADLINE_EXCEEDED) do not count;
 * errors of the call itself reach the caller unchanged.
 */
export class DependencyBreaker {
  private readonly breaker: CircuitBreaker<[Action], unknown>;

  constructor(
    readonly name: string,
    /** What the dependency is, for status messages ("the queue Redis"). */
    private readonly description: string,
    private readonly settings: BreakerSettings,
    observe?: BreakerObserver,
  ) {
    this.breaker = new CircuitBreaker((action: Action) => action(), {
      name,
      timeout: settings.timeoutMs,
      errorThresholdPercentage: settings.errorPercent,
      volumeThreshold: settings.minCalls,
      rollingCountTimeout: settings.windowMs,
      resetTimeout: settings.resetMs,
      // opossum: true = "do not count this error".
      errorFilter: (err: unknown) => !(settings.isFailure ?? dependencyFailing)(err),
    });
    this.breaker.on('open', () => observe?.(name, 'open'));
    this.breaker.on('halfOpen', () => observe?.(name, 'half-open'));
    this.breaker.on('close', () => observe?.(name, 'closed'));
    observe?.(name, 'closed');
  }

  get state(): BreakerState {
    if (this.breaker.opened) return 'open';
    return this.breaker.halfOpen ? 'half-open' : 'closed';
  }

  /**
   * Runs `action` through the breaker; an open circuit or a missed deadline rejects with UNAVAILABLE, the
   * action's own error is rethrown as it is.
   */
  async run<T>(action: () => Promise<T>): Promise<T> {
    try {
      return (await this.breaker.fire(action)) as T;
    } catch (err) {
      throw this.describe(err);
    }
  }

  shutdown(): void {
    this.breaker.shutdown();
  }

  private describe(err: unknown): unknown {
    const code = (err as { code?: string })?.code;
    if (code === 'EOPENBREAKER') {
      return new AppError(
        'UNAVAILABLE',
        `${this.description} is failing, so calls to it are refused for now (circuit "${this.name}" open; ` +
          `next try within ${Math.ceil(this.settings.resetMs / 1000)} s)`,
      );
    }
    if (code === 'ETIMEDOUT') {
      return new AppError(
        'UNAVAILABLE',
        `${this.description} did not answer within ${this.settings.timeoutMs} ms`,
      );
    }
    return err;
  }
}
