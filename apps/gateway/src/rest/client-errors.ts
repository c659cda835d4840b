import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';

/** Node's own answer to a request it could not parse (what its default clientError handler sends). */
function statusFor(code: string | undefined): number {
  if (code === 'HPE_HEADER_OVERFLOW') return 431; // headers or request target over maxHeaderSize
  if (code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW') return 413;
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408;
  return 400;
}

const REASON: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  413: 'Payload Too Large',
  431: 'Request Header Fields Too Large',
};

/**
 * Requests Node's parser refuses (garbage bytes, overlong URL or headers) never reach Express: answer them
 * as Node would, with the API's JSON error body, and log them (a scan shows up in the log, not only as
 * closed sockets).
 */
export function answerClientErrors(server: Server, logger?: Pick<Logger, 'warn'>): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    try {
      const status = statusFor(err.code);
      logger?.warn({ code: err.code, status }, `HTTP request refused by the parser: ${err.message}`);
      // ECONNRESET: the client is gone; there is nobody to answer.
      if (err.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
      const body = JSON.stringify({
        error: { code: 'INVALID_ARGUMENT', message: `malformed HTTP request (${err.code ?? 'parse error'})` },
      });
      socket.end(
        `HTTP/1.1 ${status} ${REASON[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    } catch {
      socket.destroy();
    }
  });
}
