/**
 * Exit codes scripts can rely on (documented in README "CLI"). Every failure prints one line on stderr:
 * `olt: <category>: <message>`, the category being the key below in lower case.
 */
export const EXIT = {
  OK: 0,
  /** A bug or an error nobody anticipated. */
  INTERNAL: 1,
  /** Bad command line, or the server refused an argument (INVALID_ARGUMENT: unknown language, …). */
  USAGE: 2,
  /** Missing or wrong API key (UNAUTHENTICATED / PERMISSION_DENIED). */
  AUTH: 3,
  /** Gateway unreachable, draining past our retries, overloaded or failing (UNAVAILABLE, RESOURCE_EXHAUSTED, …). */
  SERVER: 4,
  /** The audio input cannot be read or decoded. */
  INPUT: 5,
  /** An output file (SRT/WebVTT) cannot be written. */
  OUTPUT: 6,
  /** The command exists but this build cannot do it (e.g. `models pull` without the model store). */
  UNSUPPORTED: 7,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

const CATEGORY: Record<ExitCode, string> = {
  0: 'ok',
  1: 'internal',
  2: 'usage',
  3: 'auth',
  4: 'server',
  5: 'input',
  6: 'output',
  7: 'unsupported',
};

/** An error that ends the CLI with a documented exit code and a one-line message. */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message);
    this.name = 'CliError';
  }

  get line(): string {
    return `olt: ${CATEGORY[this.exitCode]}: ${this.message}`;
  }
}

export const usageError = (message: string) => new CliError(EXIT.USAGE, message);
export const inputError = (message: string) => new CliError(EXIT.INPUT, message);
export const outputError = (message: string) => new CliError(EXIT.OUTPUT, message);

/** gRPC status numbers → exit codes. */
export function exitCodeForGrpc(code: number): ExitCode {
  switch (code) {
    case 16: // UNAUTHENTICATED
    case 7: // PERMISSION_DENIED
      return EXIT.AUTH;
    case 3: // INVALID_ARGUMENT
    case 11: // OUT_OF_RANGE
      return EXIT.USAGE;
    default:
      return EXIT.SERVER;
  }
}

const GRPC_NAMES: Record<number, string> = {
  1: 'CANCELLED',
  2: 'UNKNOWN',
  3: 'INVALID_ARGUMENT',
  4: 'DEADLINE_EXCEEDED',
  5: 'NOT_FOUND',
  7: 'PERMISSION_DENIED',
  8: 'RESOURCE_EXHAUSTED',
  9: 'FAILED_PRECONDITION',
  12: 'UNIMPLEMENTED',
  13: 'INTERNAL',
  14: 'UNAVAILABLE',
  16: 'UNAUTHENTICATED',
};

export function grpcError(
  err: { code?: number; details?: string; message?: string },
  server: string,
): CliError {
  const code = err.code ?? 2;
  const name = GRPC_NAMES[code] ?? `status ${code}`;
  const details = err.details || err.message || 'no message';
  const hint = code === 14 ? ` (is the gateway running at ${server}?)` : '';
  return new CliError(exitCodeForGrpc(code), `${name}: ${details}${hint}`);
}
