import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AppError, ConfigService } from '@olt/shared';
import { signOverlayToken, verifyOverlayToken, type OverlayGrant, type OverlayKey } from './overlay-token';

/**
 * Issues and checks overlay links. The secret comes from `overlay.token_secret`; when that is empty a
 * random one is made per process, which is fine for one gateway but breaks links across restarts and
 * between gateways (documented in docs/configuration.md); with `gateway.fleet` on, an empty one is refused.
 */
@Injectable()
export class OverlayLinks {
  private readonly key: OverlayKey;
  private readonly previous: OverlayKey[];

  constructor(private readonly config: ConfigService) {
    const configured = config.current.overlay.tokenSecret;
    if (!configured && config.current.gateway.fleet) {
      // A random key per process makes every overlay link fail on the other gateways (401): refuse now.
      throw new AppError(
        'FAILED_PRECONDITION',
        'gateway.fleet is on but overlay.token_secret is empty: every gateway of a fleet must sign overlay ' +
          'links with the same key. Set overlay.token_secret (env OLT__OVERLAY__TOKEN_SECRET, at least 16 ' +
          'characters, e.g. from a Kubernetes Secret; the Helm chart creates one when none is given).',
      );
    }
    this.key = {
      id: config.current.overlay.tokenKeyId,
      secret: configured ? Buffer.from(configured, 'utf8') : randomBytes(32),
    };
    this.previous = config.current.overlay.previousTokenKeys.map((k) => ({
      id: k.id,
      secret: Buffer.from(k.secret, 'utf8'),
    }));
  }

  /** The browser-source URL for a session: what SessionStarted.overlay_url carries. */
  overlayUrlFor(sessionId: string, tenantId: string, nowMs = Date.now()): string {
    const cfg = this.config.current;
    const exp = Math.floor(nowMs / 1000) + cfg.overlay.tokenTtlS;
    const token = signOverlayToken({ sessionId, tenantId, exp }, this.key);
    const base = cfg.gateway.publicUrl.replace(/\/+$/, '');
    return `${base}/overlay/${encodeURIComponent(sessionId)}?token=${token}`;
  }

  verify(token: string | undefined, sessionId: string, nowMs = Date.now()): OverlayGrant {
    return verifyOverlayToken(
      token,
      sessionId,
      { current: this.key, previous: this.previous },
      Math.floor(nowMs / 1000),
    );
  }
}
