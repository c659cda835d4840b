import type { DestinationStream } from 'pino';

const SKIPPED = new Set(['time', 'level', 'name', 'msg', 'pid', 'hostname']);

/**
 * One-line, human-friendly rendering of a pino JSON line (`log.pretty = true`), without pino-pretty:
 * `12:03:04.567 INFO  gateway: session started sessionId=abc tenantId=t1`.
 */
export function prettyLine(jsonLine: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(jsonLine) as Record<string, unknown>;
  } catch {
    return jsonLine;
  }
  const time = typeof entry.time === 'string' ? entry.time.slice(11, 23) : '';
  const level = String(entry.level ?? '')
    .toUpperCase()
    .padEnd(5);
  const extras = Object.entries(entry)
    .filter(([key]) => !SKIPPED.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  const head = `${time} ${level} ${entry.name ?? ''}: ${entry.msg ?? ''}`;
  return `${[head, ...extras].join(' ')}\n`;
}

export function prettyDestination(out: { write(text: string): unknown }): DestinationStream {
  return { write: (line: string) => void out.write(prettyLine(line)) };
}
