import { AppError, type ErrorCode } from '../errors';

/** Main thread → inference thread. */
export type ToThread = { kind: 'call'; id: number; method: string; args: unknown } | { kind: 'close' };

/** Inference thread → main thread. */
export type FromThread =
  | { kind: 'ready'; description: unknown }
  | { kind: 'load-failed'; error: SerializedError }
  | { kind: 'reply'; id: number; ok: true; value: unknown }
  | { kind: 'reply'; id: number; ok: false; error: SerializedError }
  | { kind: 'closed' };

/** An error as it crosses the thread boundary (structured clone keeps neither the class nor `code`). */
export interface SerializedError {
  name: string;
  message: string;
  code?: ErrorCode;
  stack?: string;
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof AppError)
    return { name: err.name, message: err.message, code: err.code, stack: err.stack };
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return { name: 'Error', message: String(err) };
}

/**
 * Rebuilds the error on the caller's side with its class and code, so that callers branch on it exactly as
 * they would on the engine's own error (an AppError is final for the job policy; a plain Error is retried).
 */
export function deserializeError(e: SerializedError): Error {
  const err = e.code ? new AppError(e.code, e.message) : new Error(e.message);
  if (!e.code) err.name = e.name;
  if (e.stack) err.stack = `${err.name}: ${e.message}\n    [in inference thread]\n${stackFrames(e.stack)}`;
  return err;
}

function stackFrames(stack: string): string {
  return stack
    .split('\n')
    .filter((line) => line.trimStart().startsWith('at '))
    .join('\n');
}
