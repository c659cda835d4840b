import { Command, InvalidArgumentError, Option } from 'commander';
import { languagesCommand, translateCommand } from './commands/text-commands';
import { modelsCommand } from './commands/models-command';
import { streamCommand } from './commands/stream-command';
import { TerminalDisplay } from './display/terminal-display';
import { EXIT, usageError, type ExitCode } from './exit-codes';
import { channelSecurity } from './grpc/channel-security';
import { createGatewayClient, parseServer } from './grpc/gateway-client';
import { resolveSecret } from './secrets';

/** The environment the CLI reads OLT_API_KEY and OLT_OBS_PASSWORD from, in one place. */
export type CliEnvironment = Readonly<Record<string, string | undefined>>;

const list = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function wholeNumber(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n))
    throw new InvalidArgumentError('must be a whole number');
  return n;
}

interface ConnectionFlags {
  server: string;
  tls?: boolean;
  plaintext?: boolean;
  ca?: string;
  serverName?: string;
  key?: string;
  keyFile?: string;
}

/** The options every command that talks to the gateway takes. */
function withConnection(cmd: Command): Command {
  return cmd
    .option('--server <host:port>', 'gateway address', '127.0.0.1:50051')
    .option('--tls', 'use TLS (the default for any server that is not on this machine)')
    .option('--plaintext', 'no TLS even to a remote server (only behind a trusted network or tunnel)')
    .option('--ca <file>', 'PEM CA certificate(s) to trust instead of the system store (implies --tls)')
    .option(
      '--server-name <name>',
      'name expected in the gateway certificate, if not the host (implies --tls)',
    )
    .option('--key-file <file>', 'file holding the API key (default: env OLT_API_KEY)')
    .addOption(
      new Option(
        '--key <key>',
        'API key on the command line (visible in ps and history: prefer OLT_API_KEY)',
      ),
    );
}

/** The parsed connection: a client plus the resolved key. */
function connect(flags: ConnectionFlags, env: CliEnvironment) {
  const server = parseServer(flags.server);
  const security = channelSecurity({ ...flags, server });
  const key = resolveSecret({
    flag: flags.key,
    flagName: '--key',
    file: flags.keyFile,
    fileFlagName: '--key-file',
    env: env.OLT_API_KEY,
    envName: 'OLT_API_KEY',
  });
  return { server, key, client: createGatewayClient(server, security) };
}

interface StreamFlags extends ConnectionFlags {
  device?: string;
  targets?: string;
  source: string;
  interim?: boolean;
  silenceMs?: number;
  maxSegmentMs?: number;
  fast?: boolean;
  srt?: string;
  vtt?: string;
  format?: string;
  rate?: number;
  channels?: number;
  sessionId?: string;
  retries: number;
  obs?: string;
  obsPassword?: string;
  obsPasswordFile?: string;
  obsSource?: string;
  obsCaptions?: boolean;
  obsLines?: string;
  json?: boolean;
  quiet?: boolean;
}

interface TranslateFlags extends ConnectionFlags {
  to: string;
  from: string;
  json?: boolean;
}

const STREAM_EXAMPLES = `
Input: a WAV file (streamed as it is sent), any other file through ffmpeg (FLAC, MP3, …), "-" for raw PCM
on stdin (--format/--rate/--channels), or --device to capture through ffmpeg:
  Linux    --device pulse:default        --device alsa:hw:0
  Windows  --device "dshow:audio=Microphone (USB Audio)"   (list: ffmpeg -list_devices true -f dshow -i dummy)
  macOS    --device avfoundation::0      (list: ffmpeg -f avfoundation -list_devices true -i "")
Ctrl+C ends the input: the open segment is finished and its final written; Ctrl+C again quits at once.

Examples:
  export OLT_API_KEY=…   # or --key-file ~/.config/olt/key
  olt stream talk.wav --server subs.example.com:443 --targets es,fr --srt talk.srt
  olt stream --device pulse:default --server 127.0.0.1:50051 --targets es --vtt live.vtt
`;

/**
 * The `olt` command tree. Each command has its own options, --help and --version; an option of another
 * command is an error ("unknown option"). `setExit` receives the exit code of the command that ran.
 */
export function buildProgram(
  version: string,
  env: CliEnvironment,
  setExit: (code: ExitCode) => void,
): Command {
  const program = new Command('olt')
    .description('OBS Live Translator client: stream audio, print and write subtitles, drive OBS.')
    .version(version, '-V, --version')
    .showSuggestionAfterError(true)
    .addHelpText(
      'after',
      '\nexit codes: 0 ok, 1 internal error, 2 usage (or INVALID_ARGUMENT from the server), 3 auth, 4 server\n' +
        'unavailable or failing, 5 input error, 6 output file error, 7 not available in this build, 130 second Ctrl+C\n',
    );

  withConnection(
    program
      .command('stream')
      .description('stream audio to the gateway, print subtitles, write SRT/WebVTT, drive OBS')
      .argument('[input]', 'WAV/FLAC/… file, or - for raw PCM on stdin'),
  )
    .version(version, '-V, --version')
    .option('--device <format:name>', 'capture from an audio device through ffmpeg (see below)')
    .option('--targets <langs>', 'target languages, e.g. es,fr')
    .option('--source <lang>', 'spoken language, or auto', 'auto')
    .option('--interim', 'interim results')
    .option('--silence-ms <ms>', 'silence that ends a segment', wholeNumber)
    .option('--max-segment-ms <ms>', 'longest segment', wholeNumber)
    .addOption(new Option('--realtime', 'pace files at real time (default)').conflicts('fast'))
    .option('--fast', 'send files as fast as the gateway reads')
    .option('--srt <file>', 'SRT per language: out.srt (transcript), out.es.srt, …')
    .option('--vtt <file>', 'WebVTT per language, named the same way')
    .addOption(new Option('--format <pcm>', 'raw PCM on stdin').choices(['s16le', 'f32le']))
    .option('--rate <hz>', 'raw PCM sample rate (default 48000)', wholeNumber)
    .option('--channels <n>', 'raw PCM channels (default 2)', wholeNumber)
    .option('--session-id <id>', 'resume or name a session')
    .option('--retries <n>', 'reconnects after UNAVAILABLE', wholeNumber, 5)
    .option('--obs <url>', 'obs-websocket URL, e.g. ws://127.0.0.1:4455')
    .option(
      '--obs-password-file <file>',
      'file holding the obs-websocket password (default: env OLT_OBS_PASSWORD)',
    )
    .option('--obs-password <password>', 'obs-websocket password (visible in ps: prefer OLT_OBS_PASSWORD)')
    .option('--obs-source <name>', 'OBS text source to set (default Subtitles)')
    .option('--obs-captions', 'send CEA-608 captions with the stream')
    .option('--obs-lines <langs>', 'languages shown in OBS, e.g. es,source')
    .option('--json', 'JSON lines on stdout')
    .option('--quiet', 'no status lines')
    .addHelpText('after', STREAM_EXAMPLES)
    .action(async (input: string | undefined, v: StreamFlags) => {
      if (!input === !v.device)
        throw usageError('stream needs one input: a WAV/FLAC file, - for raw PCM on stdin, or --device');
      const { server, key, client } = connect(v, env);
      const targets = list(v.targets);
      const obsPassword = resolveSecret({
        flag: v.obsPassword,
        flagName: '--obs-password',
        file: v.obsPasswordFile,
        fileFlagName: '--obs-password-file',
        env: env.OLT_OBS_PASSWORD,
        envName: 'OLT_OBS_PASSWORD',
      });
      try {
        await streamCommand(client, {
          server,
          key,
          input,
          device: v.device,
          targets,
          source: v.source,
          interim: Boolean(v.interim),
          silenceMs: v.silenceMs,
          maxSegmentMs: v.maxSegmentMs,
          realtime: !v.fast,
          srt: v.srt,
          vtt: v.vtt,
          format: v.format,
          rate: v.rate,
          channels: v.channels,
          sessionId: v.sessionId,
          retries: v.retries,
          obs: v.obs
            ? {
                url: v.obs,
                password: obsPassword ?? '',
                source: v.obsSource ?? (v.obsCaptions ? '' : 'Subtitles'),
                captions: Boolean(v.obsCaptions),
                languages: list(v.obsLines).length ? list(v.obsLines) : [targets[0] ?? 'source'],
                interims: Boolean(v.interim),
              }
            : undefined,
          display: new TerminalDisplay({
            tty: Boolean(process.stderr.isTTY),
            quiet: Boolean(v.quiet),
            json: Boolean(v.json),
          }),
        });
      } finally {
        client.close();
      }
      setExit(EXIT.OK);
    });

  withConnection(
    program
      .command('translate')
      .description('translate text: one line per target, "es: texto"')
      .argument('<text...>', 'the text to translate'),
  )
    .version(version, '-V, --version')
    .requiredOption('--to <langs>', 'target languages, e.g. es,fr')
    .requiredOption('--from <lang>', 'source language (text has no language detection)')
    .option('--json', 'the response as JSON')
    .action(async (words: string[], v: TranslateFlags) => {
      const { server, key, client } = connect(v, env);
      try {
        process.stdout.write(
          await translateCommand(client, {
            server,
            key,
            text: words.join(' '),
            to: list(v.to),
            from: v.from,
            json: Boolean(v.json),
          }),
        );
      } finally {
        client.close();
      }
      setExit(EXIT.OK);
    });

  withConnection(program.command('languages').description('list the languages the gateway knows'))
    .version(version, '-V, --version')
    .option('--json', 'the list as JSON')
    .action(async (v: ConnectionFlags & { json?: boolean }) => {
      const { server, key, client } = connect(v, env);
      try {
        process.stdout.write(await languagesCommand(client, server, key, Boolean(v.json)));
      } finally {
        client.close();
      }
      setExit(EXIT.OK);
    });

  program
    .command('models')
    .description(
      'download models: olt models pull <name> [--precision P] [--dir DIR] (see olt models --help)',
    )
    // The model store parses its own arguments (and answers --help), so everything is passed through.
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .argument('[args...]')
    .action((args: string[]) => setExit(modelsCommand(args) as ExitCode));

  return program;
}
