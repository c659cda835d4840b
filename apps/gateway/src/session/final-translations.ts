import type { Metrics, StreamResponse } from '@olt/shared';
import type { Tenant } from '../tenancy/tenant';
import type { TranslationService } from '../translate/translation.service';
import type { SessionSettings } from './session-settings';

export interface FinalTranslationsDeps {
  translation: TranslationService;
  tenant: Tenant;
  metrics: Metrics;
  send: (message: StreamResponse) => void;
  /** A target's translation is lost; `cause` decides between WARNING and SERVER_BUSY. */
  warn: (message: string, cause: unknown) => void;
  /** The call is over: a translation that comes back now is not sent. */
  closed: () => boolean;
}

export interface FinalToTranslate {
  segmentId: string;
  revision: number;
  text: string;
  /** FLORES code of the transcript's language. */
  source: string;
  /** When the segment's audio ended (performance.now()), for the first-translation latency. */
  endedAt: number;
}

/**
 * Translates one final transcript into every target of the stream at once and sends each translation as it
 * arrives (their order among targets is free: docs/protocol.md). A target that fails gets a WARNING; the
 * others are unaffected.
 */
export async function translateFinal(
  deps: FinalTranslationsDeps,
  settings: SessionSettings,
  final: FinalToTranslate,
): Promise<void> {
  let first = true;
  await Promise.all(
    settings.targets.map(async (target) => {
      const outcome = await deps.translation
        .translate({
          text: final.text,
          source: final.source,
          target: target.flores,
          sessionId: settings.sessionId,
          tenantId: deps.tenant.id,
          plan: deps.tenant.plan,
          priority: settings.priority,
          segmentId: final.segmentId,
          revision: final.revision,
          isFinal: true,
          glossary: settings.glossary,
          // true forces masking; undefined leaves it to the tenant's setting.
          maskProfanity: settings.maskProfanity || undefined,
        })
        .catch((err: unknown) => {
          deps.warn(
            `translation of segment ${final.segmentId} to ${target.bcp47} failed: ${(err as Error).message}`,
            err,
          );
          return undefined;
        });
      if (!outcome || deps.closed()) return;
      if (first) {
        first = false;
        deps.metrics.pipelineLatency.observe(
          { stage: 'first_translation' },
          (performance.now() - final.endedAt) / 1000,
        );
      }
      deps.send({
        translation: {
          segmentId: final.segmentId,
          revision: final.revision,
          targetLanguage: target.bcp47,
          text: outcome.text,
          isFinal: true,
          fromCache: outcome.fromCache,
        },
      });
    }),
  );
}
