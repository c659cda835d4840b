export { generateTinyNllb } from './generate-tiny-nllb';
export { FLORES200_CODES } from './flores200-codes';
