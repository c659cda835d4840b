import { connect } from 'node:net';

export interface HttpAnswer {
  /** Final status code (a 100 Continue is skipped); undefined when none came. */
  status?: number;
  /** Why no status came: the server closed or reset the connection, or said nothing in time. */
  noAnswer?: 'closed' | 'reset' | 'timeout' | 'refused';
  /** First bytes of the body, for the reason of a 5xx. */
  bodyStart: string;
  ms: number;
}

/**
 * Writes bytes on a fresh TCP connection and reads the first status line (and a little body): raw `net`
 * because Node's http client refuses most malformed requests before they leave the process.
 */
export function rawHttpExchange(
  host: string,
  port: number,
  bytes: Buffer,
  timeoutMs: number,
): Promise<HttpAnswer> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let received = Buffer.alloc(0);
    let settled = false;
    const finish = (answer: Omit<HttpAnswer, 'ms' | 'bodyStart'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const text = received.toString('latin1');
      const bodyAt = text.indexOf(
        '\r\n\r\n',
        text.startsWith('HTTP/1.1 100') ? text.indexOf('\r\n\r\n') + 4 : 0,
      );
      // Drop a chunked body's first size line: the reason is the JSON after it.
      const body = bodyAt >= 0 ? text.slice(bodyAt + 4, bodyAt + 300).replace(/^[0-9a-f]+\r\n/i, '') : '';
      resolve({ ...answer, bodyStart: body, ms: performance.now() - started });
    };
    const timer = setTimeout(() => finish({ status: parseStatus(received), noAnswer: 'timeout' }), timeoutMs);
    socket.on('connect', () => {
      // The server may answer (and close) before reading the whole body: a write error then is not news.
      socket.write(bytes, () => undefined);
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const status = parseStatus(received);
      // Enough once the status and a little of the body are in (SSE and WebSocket answers never end).
      if (status === undefined) return;
      if (received.length > 400 || status === 101 || isEventStream(received)) finish({ status });
      // A kept-alive answer without Connection: close: give its body a moment, then stop waiting.
      else setTimeout(() => finish({ status: parseStatus(received) }), 50);
    });
    socket.on('end', () => finish(answerOnClose(received, 'closed')));
    socket.on('error', (err: NodeJS.ErrnoException) =>
      finish(answerOnClose(received, err.code === 'ECONNREFUSED' ? 'refused' : 'reset')),
    );
  });
}

function answerOnClose(
  received: Buffer,
  why: 'closed' | 'reset' | 'refused',
): Omit<HttpAnswer, 'ms' | 'bodyStart'> {
  const status = parseStatus(received);
  return status === undefined ? { noAnswer: why } : { status };
}

function parseStatus(received: Buffer): number | undefined {
  const text = received.toString('latin1');
  const headEnd = text.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const first = /^HTTP\/\d\.\d (\d{3})/.exec(text);
  if (!first) return undefined;
  if (first[1] === '100') {
    // 100 Continue: the real answer follows.
    const rest = received.subarray(headEnd + 4);
    return rest.length ? parseStatus(rest) : undefined;
  }
  return Number(first[1]);
}

function isEventStream(received: Buffer): boolean {
  return /content-type: text\/event-stream/i.test(received.toString('latin1'));
}
