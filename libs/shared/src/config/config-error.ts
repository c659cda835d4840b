import { AppError } from '../errors';

/**
 * Thrown when the configuration cannot be used. `problems` holds one line per bad key so that an operator
 * fixes them all in one go instead of one restart per typo.
 */
export class ConfigError extends AppError {
  constructor(readonly problems: string[]) {
    super('FAILED_PRECONDITION', problems.join('\n'));
    this.name = 'ConfigError';
  }
}
