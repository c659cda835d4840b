import type { UnexpectedErrors } from './infra/unexpected-errors';

/**
 * Errors a single connection's peer can cause that still escape as an uncaught exception (an 'error' event
 * on a socket nobody listened to). They unwound nothing but that socket's own I/O callback: safe to go on.
 */
const PEER_ERROR_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'ERR_STREAM_WRITE_AFTER_END',
  'ERR_STREAM_DESTROYED',
  'ERR_STREAM_PREMATURE_CLOSE',
  'ERR_HTTP_HEADERS_SENT',
]);

export interface ProcessGuardOptions {
  unexpected: UnexpectedErrors;
  /** Flush logs and stop; default: exit(1) on the next tick. */
  exit?: (code: number) => void;
  proc?: NodeJS.EventEmitter;
}

/**
 * The last line of defence, under the per-request handlers (HttpErrorFilter, the upgrade listener, SSE and
 * WebSocket guards, gRPC's own). Every error reaching it is logged and counted (surface "process").
 *
 * - unhandledRejection: keep running. A promise nobody awaited has already unwound its own code; what is
 *   lost is one result, not the consistency of shared state.
 * - uncaughtException from a peer's socket (PEER_ERROR_CODES): keep running, for the same reason.
 * - any other uncaughtException: exit(1). It unwound an unknown stack, perhaps halfway through updating a
 *   session map, a lease or a feed; Node documents that resuming is unsafe. A restart (Kubernetes, compose
 *   `restart:`) with clients resuming via resume_from_ms beats serving from corrupt state; a crash loop is
 *   loud (restarts and this counter alert), silent corruption is not.
 */
export function installProcessGuards(opts: ProcessGuardOptions): () => void {
  const proc = opts.proc ?? process;
  const exit = opts.exit ?? ((code: number) => setImmediate(() => process.exit(code)));
  const onRejection = (reason: unknown) =>
    opts.unexpected.report('process', reason, { kind: 'unhandledRejection', action: 'kept running' });
  const onException = (err: unknown) => {
    const code = (err as NodeJS.ErrnoException | undefined)?.code;
    const fromPeer = typeof code === 'string' && PEER_ERROR_CODES.has(code);
    opts.unexpected.report('process', err, {
      kind: 'uncaughtException',
      action: fromPeer ? 'kept running (a peer socket error)' : 'exiting: state unknown',
    });
    if (!fromPeer) exit(1);
  };
  proc.on('unhandledRejection', onRejection);
  proc.on('uncaughtException', onException);
  return () => {
    proc.off('unhandledRejection', onRejection);
    proc.off('uncaughtException', onException);
  };
}
