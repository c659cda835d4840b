import type { StreamResponse } from '@olt/shared';

/** The writable half of a gRPC call, as far as the session needs it. */
export interface ResponseSink {
  write(message: StreamResponse): boolean;
  once(event: 'drain', listener: () => void): unknown;
}

/**
 * Writes responses in order and reports whether the client is keeping up. While the transport buffer is
 * full, messages wait here and `congested` is true; the session pauses reading audio meanwhile, so a
 * client that stops reading cannot make the gateway buffer without bound.
 */
export class ResponseWriter {
  private readonly backlog: StreamResponse[] = [];
  private waitingForDrain = false;
  private drainedWaiters: Array<() => void> = [];

  constructor(
    private readonly sink: ResponseSink,
    private readonly onCongestionChange: (congested: boolean) => void,
  ) {}

  get congested(): boolean {
    return this.waitingForDrain;
  }

  get pending(): number {
    return this.backlog.length;
  }

  send(message: StreamResponse): void {
    if (this.waitingForDrain) {
      this.backlog.push(message);
      return;
    }
    if (!this.sink.write(message)) this.waitForDrain();
  }

  /** Resolves when everything handed to send() has been given to the transport. */
  flushed(): Promise<void> {
    if (!this.waitingForDrain) return Promise.resolve();
    return new Promise((resolve) => this.drainedWaiters.push(resolve));
  }

  private waitForDrain(): void {
    this.waitingForDrain = true;
    this.onCongestionChange(true);
    this.sink.once('drain', () => this.onDrain());
  }

  private onDrain(): void {
    this.waitingForDrain = false;
    while (this.backlog.length) {
      const next = this.backlog.shift()!;
      if (!this.sink.write(next)) {
        this.waitForDrain();
        return;
      }
    }
    this.onCongestionChange(false);
    const waiters = this.drainedWaiters;
    this.drainedWaiters = [];
    for (const w of waiters) w();
  }
}
