import { Injectable } from '@nestjs/common';
import type { ObsOutputSettings, StreamResponse, StreamResponse__Output } from '@olt/shared';
import { SubtitleFeed } from '../feed';
import { ObsOutputs } from '../obs/obs-outputs.service';
import { OverlayLinks } from '../overlay/overlay-links';
import type { CallRef } from '../tenancy/call-ref';

/** Where a session's results go besides its own gRPC call: overlay/REST subscribers and OBS outputs. */
export interface SessionFanoutPort {
  /** The session started (with the OBS outputs it named, if any): returns its overlay URL (signed, read-only). */
  opened(sessionId: string, obsOutputs?: ObsOutputSettings[]): string;
  publish(sessionId: string, response: StreamResponse): void;
  closed(sessionId: string): void;
  /**
   * What a resumed call carries on from the session's earlier calls (on any gateway): the text and language
   * (BCP-47) of its last final at or before `resumeFromMs`; undefined when there is none.
   */
  resumeContext(sessionId: string, resumeFromMs: number): Promise<ResumeContext | undefined>;
}

export interface ResumeContext {
  text: string;
  language: string;
}

/**
 * One call's fan-out, bound to its tenant and call (session ids are chosen by clients, so two tenants may
 * use the same id). The subtitle feed is per tenant + session, so a tenant's overlay follows its stream
 * across a resume; OBS outputs are per call, so one call ending never stops another's. A failing output
 * never disturbs the gRPC stream.
 */
@Injectable()
export class SessionFanout {
  constructor(
    private readonly feed: SubtitleFeed,
    private readonly obs: ObsOutputs,
    private readonly links: OverlayLinks,
  ) {}

  forCall(tenantId: string, callId: string): SessionFanoutPort {
    const ref = (sessionId: string): CallRef => ({ tenantId, sessionId, callId });
    return {
      opened: (sessionId, obsOutputs = []) => {
        // The stream's own OBS servers, else the deployment's `[obs]` output (when enabled).
        if (obsOutputs.length) for (const settings of obsOutputs) this.obs.attach(ref(sessionId), settings);
        else this.obs.attach(ref(sessionId));
        return this.links.overlayUrlFor(sessionId, tenantId);
      },
      publish: (sessionId, response) => {
        this.feed.publish(sessionId, response, tenantId);
        this.obs.publish(ref(sessionId), response as StreamResponse__Output);
      },
      closed: (sessionId) => {
        this.feed.end(sessionId, tenantId);
        void this.obs.detach(ref(sessionId));
      },
      resumeContext: async (sessionId, resumeFromMs) => {
        const last = await this.feed.lastFinal(tenantId, sessionId, resumeFromMs);
        return last ? { text: last.text, language: last.lang } : undefined;
      },
    };
  }
}
