#!/usr/bin/env node
/**
 * olt — the OBS Live Translator command line client. See README "CLI" for commands, flags and exit codes.
 */
import { parseArgs } from 'node:util';
import { languagesCommand, translateCommand } from './commands/text-commands';
import { modelsCommand } from './commands/models-command';
import { streamCommand } from './commands/stream-command';
import { TerminalDisplay } from './display/terminal-display';
import { CliError, EXIT, usageError } from './exit-codes';
import { createGatewayClient, parseServer } from './grpc/gateway-client';

export const USAGE = `usage: olt <command> [options]

  olt stream <file.wav|file.flac|-> [options]   stream audio, print subtitles, write caption files
      --server host:port     gateway (default 127.0.0.1:50051)      --key K           API key
      --targets es,fr        target languages                        --source auto     spoken language or auto
      --interim              interim results                         --silence-ms N    --max-segment-ms N
      --realtime | --fast    pace files at real time (default) or send as fast as the gateway reads
      --srt out.srt          SRT per language: out.srt (transcript), out.es.srt, …   --vtt out.vtt (same)
      --format s16le|f32le --rate 48000 --channels 2     raw PCM on stdin ("-")
      --obs ws://127.0.0.1:4455 --obs-password P --obs-source Subtitles --obs-captions --obs-lines es,source
      --session-id ID  --retries N (reconnects after UNAVAILABLE, default 5)  --json  --quiet
  olt translate "text" --to es,fr --from en [--server --key --json]
  olt languages [--server --key --json]
  olt models pull <name> [--precision P] [--dir DIR]

exit codes: 0 ok, 1 internal error, 2 usage (or INVALID_ARGUMENT from the server), 3 auth, 4 server
unavailable or failing, 5 input error, 6 output file error, 7 not available in this build
`;

const list = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function integer(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw usageError(`--${name} must be a whole number, not "${value}"`);
  return n;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return command ? EXIT.OK : EXIT.USAGE;
  }
  if (command === 'models') return modelsCommand(rest);

  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(rest);
  } catch (err) {
    throw usageError(`${(err as Error).message.split('.')[0]} (olt --help lists the options)`);
  }
  const { values: v, positionals } = parsed;
  const server = parseServer(v.server ?? '127.0.0.1:50051');
  const client = createGatewayClient(server);
  try {
    switch (command) {
      case 'stream': {
        if (positionals.length !== 1)
          throw usageError('stream needs one input: a WAV/FLAC file, or - for raw PCM on stdin');
        if (v.realtime && v.fast) throw usageError('--realtime and --fast exclude each other');
        const display = new TerminalDisplay({
          tty: Boolean(process.stderr.isTTY),
          quiet: Boolean(v.quiet),
          json: Boolean(v.json),
        });
        const targets = list(v.targets);
        await streamCommand(client, {
          server,
          key: v.key,
          input: positionals[0],
          targets,
          source: v.source ?? 'auto',
          interim: Boolean(v.interim),
          silenceMs: integer('silence-ms', v['silence-ms']),
          maxSegmentMs: integer('max-segment-ms', v['max-segment-ms']),
          realtime: !v.fast,
          srt: v.srt,
          vtt: v.vtt,
          format: v.format,
          rate: integer('rate', v.rate),
          channels: integer('channels', v.channels),
          sessionId: v['session-id'],
          retries: integer('retries', v.retries) ?? 5,
          obs: v.obs
            ? {
                url: v.obs,
                password: v['obs-password'] ?? '',
                source: v['obs-source'] ?? (v['obs-captions'] ? '' : 'Subtitles'),
                captions: Boolean(v['obs-captions']),
                languages: list(v['obs-lines']).length ? list(v['obs-lines']) : [targets[0] ?? 'source'],
                interims: Boolean(v.interim),
              }
            : undefined,
          display,
        });
        return EXIT.OK;
      }
      case 'translate':
        process.stdout.write(
          await translateCommand(client, {
            server,
            key: v.key,
            text: positionals.join(' '),
            to: list(v.to),
            from: v.from ?? '',
            json: Boolean(v.json),
          }),
        );
        return EXIT.OK;
      case 'languages':
        process.stdout.write(await languagesCommand(client, server, v.key, Boolean(v.json)));
        return EXIT.OK;
      default:
        throw usageError(`unknown command "${command}" (stream, translate, languages, models)`);
    }
  } finally {
    client.close();
  }
}

function parse(args: string[]) {
  const text = { type: 'string' } as const;
  const flag = { type: 'boolean' } as const;
  return parseArgs({
    args,
    allowPositionals: true,
    options: {
      server: text,
      key: text,
      targets: text,
      source: text,
      interim: flag,
      'silence-ms': text,
      'max-segment-ms': text,
      realtime: flag,
      fast: flag,
      srt: text,
      vtt: text,
      format: text,
      rate: text,
      channels: text,
      'session-id': text,
      retries: text,
      obs: text,
      'obs-password': text,
      'obs-source': text,
      'obs-captions': flag,
      'obs-lines': text,
      json: flag,
      quiet: flag,
      to: text,
      from: text,
    },
  });
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      const cliError =
        err instanceof CliError
          ? err
          : new CliError(EXIT.INTERNAL, err instanceof Error ? (err.stack ?? err.message) : String(err));
      process.stderr.write(`${cliError.line}\n`);
      process.exitCode = cliError.exitCode;
    },
  );
}
