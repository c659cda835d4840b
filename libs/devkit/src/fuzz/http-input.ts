import { bytesText } from './repro-text';

/** One hostile HTTP input: a request we frame ourselves (Node's client refuses most of these), or raw bytes. */
export type HttpInput =
  | {
      kind: 'request' | 'upgrade';
      /** The route template aimed at (groups findings); absent for made-up paths. */
      route?: string;
      method: string;
      target: string;
      headers: Array<[string, string]>;
      body: Buffer;
      /** Content-Length as sent; undefined = the body's real length (omitted when there is no body). */
      contentLength?: string;
    }
  | { kind: 'raw'; bytes: Buffer };

export function encodeHttpInput(input: HttpInput): Buffer {
  if (input.kind === 'raw') return input.bytes;
  const lines = [`${input.method} ${input.target} HTTP/1.1`, 'Host: 127.0.0.1'];
  for (const [name, value] of input.headers) lines.push(`${name}: ${value}`);
  const chunked = input.headers.some(([n, v]) => /^transfer-encoding$/i.test(n) && /chunked/i.test(v));
  const length = input.contentLength ?? (input.body.length > 0 ? String(input.body.length) : undefined);
  if (length !== undefined && !chunked) lines.push(`Content-Length: ${length}`);
  // Close after one answer: the fuzzer reads one status line per connection.
  if (input.kind === 'request') lines.push('Connection: close');
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), input.body]);
}

/** The request as it goes on the wire, escaped; pipe through `printf '%b'` into `nc` to resend it. */
export function describeHttpInput(input: HttpInput): string {
  return bytesText(encodeHttpInput(input));
}

/** "GET /v1/sessions/{id}" style label for grouping findings. */
export function httpInputLabel(input: HttpInput): string {
  if (input.kind === 'raw') return 'raw bytes';
  const path = input.route ?? input.target.split('?')[0]!.slice(0, 60);
  return `${input.kind === 'upgrade' ? 'WS upgrade ' : ''}${input.method} ${path}`;
}
