export { dailySeed, inputSeed, sampleAt } from './input-seeds';
export {
  runFuzzCampaign,
  type FuzzCrash,
  type FuzzFinding,
  type FuzzOptions,
  type FuzzReport,
  type FuzzTarget,
} from './fuzz-campaign';
export { findingsList, formatFuzzReport, groupFindings, replayCommand } from './fuzz-report';
export { httpInputArbitrary, type HttpTargets } from './http-arbitraries';
export { describeHttpInput, encodeHttpInput, type HttpInput } from './http-input';
export { grpcCallArbitrary } from './grpc-arbitraries';
export { describeGrpcCall, type GrpcCall } from './grpc-call';
export { checkStackLiveness, type LivenessReport } from './stack-liveness';
