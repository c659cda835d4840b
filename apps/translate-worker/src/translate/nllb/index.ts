export { NllbOnnxEngine, type NllbLoadOptions } from './nllb-onnx-engine';
