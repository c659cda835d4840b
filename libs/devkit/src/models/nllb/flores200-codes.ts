/**
 * The 202 FLORES-200 codes in NLLB tokenizer order. The canonical table (with BCP-47, Whisper codes and
 * names) lives in @olt/shared's languages module; the tiny model's tokenizer takes its order from there.
 */
export { FLORES200_CODES } from '@olt/shared';
