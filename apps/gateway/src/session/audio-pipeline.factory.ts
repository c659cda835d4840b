import { Inject, Injectable } from '@nestjs/common';
import { ConfigService, type VadConfig } from '@olt/shared';
import { AudioPipeline, SileroVadModel, type SegmentPolicySettings } from '../audio';
import type { SessionSettings } from './session-settings';

/** Builds a stream's audio pipeline from its settings and the current (hot-reloadable) VAD config. */
@Injectable()
export class AudioPipelineFactory {
  constructor(
    @Inject(SileroVadModel) private readonly vad: SileroVadModel,
    private readonly config: ConfigService,
  ) {}

  create(settings: SessionSettings): AudioPipeline {
    return new AudioPipeline({
      format: {
        encoding: settings.audio.encoding,
        sampleRateHz: settings.audio.sampleRateHz,
        channels: settings.audio.channels,
      },
      vad: this.vad.createStream(),
      policy: policySettings(this.config.current.vad, settings),
    });
  }
}

/** Segment policy = the deployment's VAD config, with the stream's own endpointing choices on top. */
export function policySettings(vad: VadConfig, settings: SessionSettings): Partial<SegmentPolicySettings> {
  return {
    threshold: vad.threshold,
    negThreshold: vad.negThreshold,
    silenceMs: settings.silenceMs ?? vad.silenceMs,
    preRollMs: vad.preRollMs,
    minSpeechMs: vad.minSpeechMs,
    maxSegmentMs: settings.maxSegmentMs ?? vad.maxSegmentMs,
  };
}
