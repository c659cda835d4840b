export * from './language-resolver';
export { WHISPER_LANGUAGES } from './whisper-languages';
