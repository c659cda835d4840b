import { readFileSync } from 'node:fs';
import { usageError } from './exit-codes';

/** Where a secret may come from, most explicit first. */
export interface SecretSources {
  /** The value on the command line (works, but shows in `ps` and shell history). */
  flag?: string;
  flagName: string;
  /** A file holding the value (trailing newline ignored). */
  file?: string;
  fileFlagName: string;
  /** The environment variable's value and name (preferred: OLT_API_KEY, OLT_OBS_PASSWORD). */
  env?: string;
  envName: string;
}

/** The flag, else the file, else the environment; undefined when none is set. */
export function resolveSecret(s: SecretSources): string | undefined {
  if (s.flag !== undefined && s.file !== undefined)
    throw usageError(`${s.flagName} and ${s.fileFlagName} exclude each other`);
  if (s.flag !== undefined) return s.flag;
  if (s.file !== undefined) {
    let text: string;
    try {
      text = readFileSync(s.file, 'utf8');
    } catch (err) {
      throw usageError(`${s.fileFlagName} ${s.file} cannot be read: ${(err as Error).message}`);
    }
    return text.replace(/\r?\n$/, '');
  }
  return s.env || undefined;
}
