export { generateTinyNllb, type NllbModelDims } from './generate-tiny-nllb';
export { corpusBleu, corpusChrF, tokenizeForBleu } from './mt-scores';
export { FLORES200_CODES } from './flores200-codes';
