export * from './language-resolver';
export { FLORES200_CODES, LANGUAGE_TABLE } from './language-table';
export { WHISPER_LANGUAGES } from './whisper-languages';
