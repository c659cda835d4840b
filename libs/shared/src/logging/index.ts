export { createLogger, type CreateLoggerOptions, type SessionIds, sessionLogger } from './create-logger';
export { LoggingModule, type LoggingModuleOptions, ROOT_LOGGER } from './logging.module';
export { prettyLine } from './pretty-line';
export { REDACTED_PATHS, redactUrl } from './redaction';
export { requestIdOf } from './request-id';
