import {
  failedPrecondition,
  invalidArgument,
  obsOutputSettings,
  type ObsConfig,
  type ObsOutputSettings,
  type StreamConfig__Output,
} from '@olt/shared';

/**
 * StreamConfig.obs_outputs → validated output settings, with the deployment's `[obs]` values as defaults.
 * Refused unless the operator allowed client-named OBS servers: each one is a connection from the gateway
 * to an address the client chose.
 */
export function parseSessionObsOutputs(config: StreamConfig__Output, obs: ObsConfig): ObsOutputSettings[] {
  const requested = config.obsOutputs ?? [];
  if (requested.length === 0) return [];
  if (!obs.allowSessionOutputs) {
    throw failedPrecondition(
      'this deployment does not connect to OBS servers named by clients (obs.allow_session_outputs is off): ' +
        'drive OBS from your side with the `olt stream --obs` CLI, or ask the operator',
    );
  }
  if (requested.length > obs.maxSessionOutputs) {
    throw invalidArgument(
      `StreamConfig.obs_outputs names ${requested.length} OBS servers; at most ${obs.maxSessionOutputs} are allowed`,
    );
  }
  return requested.map((o, i) => {
    try {
      return obsOutputSettings({
        url: o.url,
        password: o.password,
        textSource: o.textSource,
        createSource: o.createSource,
        scene: o.scene,
        interims: o.interims,
        languages: o.languages.length ? o.languages : obs.languages,
        captions: o.captions,
        captionLanguage: o.captionLanguage || obs.captionLanguage,
        captionMaxRows: o.captionMaxRows || obs.captionMaxRows,
        captionMinIntervalMs: obs.captionMinIntervalMs,
        readingCharsPerSecond: obs.readingCharsPerSecond,
        minDisplayMs: obs.minDisplayMs,
        maxDisplayMs: obs.maxDisplayMs,
        clearAfterMs: obs.clearAfterMs,
        reconnectInitialMs: obs.reconnectInitialMs,
        reconnectMaxMs: obs.reconnectMaxMs,
      });
    } catch (err) {
      throw invalidArgument(`StreamConfig.obs_outputs[${i}]: ${(err as Error).message}`);
    }
  });
}
