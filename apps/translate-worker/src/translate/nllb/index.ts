export { NllbOnnxEngine, type NllbLoadOptions } from './nllb-onnx-engine';
export { loadNllbEngine, type NllbDescription, ThreadedNllbEngine } from './threaded-nllb-engine';
