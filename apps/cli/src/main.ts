#!/usr/bin/env node
/**
 * olt — the OBS Live Translator command line client. See README "CLI" for commands, flags and exit codes.
 */
import { CommanderError } from 'commander';
import { buildProgram, type CliEnvironment } from './cli-program';
import { CliError, EXIT, usageError, type ExitCode } from './exit-codes';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const VERSION: string = (require('../package.json') as { version: string }).version;

/** Runs one command line; resolves with the exit code, rejects with a CliError (or a bug). */
// The CLI has no config file: this default is its one read of the environment (OLT_API_KEY, OLT_OBS_PASSWORD).
// eslint-disable-next-line no-restricted-properties
export async function main(argv: string[], env: CliEnvironment = process.env): Promise<number> {
  let code: ExitCode = EXIT.OK;
  const program = buildProgram(VERSION, env, (c) => (code = c));
  // Commander prints help and version itself; its errors become our one-line usage errors (exit 2).
  program.exitOverride();
  for (const cmd of [program, ...program.commands]) {
    cmd.exitOverride();
    cmd.configureOutput({ outputError: () => undefined });
  }
  if (argv.length === 0) {
    process.stdout.write(program.helpInformation());
    return EXIT.USAGE;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT.OK;
    const command = argv.find((a) => program.commands.some((c) => c.name() === a));
    throw usageError(
      `${err.message.replace(/^error: /, '')} (olt ${command ? `${command} ` : ''}--help lists the options)`,
    );
  }
  return code;
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
