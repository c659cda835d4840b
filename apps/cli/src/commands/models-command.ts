import { spawnSync } from 'node:child_process';
import { CliError, EXIT } from '../exit-codes';

/**
 * `olt models pull <name> [--precision P] [--dir DIR]`: runs the model store's own command (libs/shared
 * bin/models) so the CLI and the workers download into the same place the same way.
 */
export function modelsCommand(args: string[]): number {
  let bin: string;
  try {
    bin = require.resolve('@olt/shared/dist/bin/models.js');
  } catch {
    throw new CliError(
      EXIT.UNSUPPORTED,
      'models pull is not available in this build (the model store is missing)',
    );
  }
  const result = spawnSync(process.execPath, [bin, ...args], { stdio: 'inherit' });
  if (result.status === 0) return EXIT.OK;
  if (result.status === 2) return EXIT.USAGE;
  return EXIT.SERVER;
}
