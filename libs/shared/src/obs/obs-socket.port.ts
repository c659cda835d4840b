/** The one side effect of an OBS output: an obs-websocket v5 connection. */
export interface ObsSocketPort {
  /** Connects and identifies; rejects with an error carrying `code` (4009 = authentication failed). */
  connect(url: string, password: string): Promise<{ obsWebSocketVersion: string }>;
  disconnect(): Promise<void>;
  /** One request; rejects with an error carrying the obs-websocket request status `code`. */
  call(requestType: string, requestData?: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Called when an identified connection closes (OBS quit, network gone). */
  onClose(listener: (code: number, reason: string) => void): void;
}

/** A logger with pino's argument order (pino, nestjs-pino and the CLI's terminal log all fit). */
export interface ObsLogPort {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** obs-websocket close codes and request status codes this code branches on. */
export const OBS_CLOSE_AUTH_FAILED = 4009;
export const OBS_STATUS_RESOURCE_NOT_FOUND = 600;
export const OBS_STATUS_RESOURCE_ALREADY_EXISTS = 601;
export const OBS_STATUS_OUTPUT_NOT_RUNNING = 501;

export function errorCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}
