import { Injectable } from '@nestjs/common';
import { ConfigService, resourceExhausted } from '@olt/shared';

/**
 * Counts subtitle feed viewers (SSE and WebSocket, overlay pages included) on this gateway per session and
 * per tenant, and refuses one over limits.max_feed_subscribers_per_session / _per_tenant (read at each
 * admission, so a reload applies to the next viewer; viewers already in are never cut off).
 */
@Injectable()
export class FeedSubscriberCaps {
  private readonly perSession = new Map<string, number>();
  private readonly perTenant = new Map<string, number>();

  constructor(private readonly config: ConfigService) {}

  /** Takes a slot or throws RESOURCE_EXHAUSTED (→ 429); the returned release is idempotent. */
  admit(tenantId: string, sessionId: string): () => void {
    const limits = this.config.current.limits;
    const sessionKey = JSON.stringify([tenantId, sessionId]);
    const inSession = this.perSession.get(sessionKey) ?? 0;
    const inTenant = this.perTenant.get(tenantId) ?? 0;
    if (inSession >= limits.maxFeedSubscribersPerSession) {
      throw resourceExhausted(
        `session "${sessionId}" already has ${inSession} feed viewers on this gateway ` +
          `(limits.max_feed_subscribers_per_session); close one or try again later`,
      );
    }
    if (inTenant >= limits.maxFeedSubscribersPerTenant) {
      throw resourceExhausted(
        `this tenant already has ${inTenant} feed viewers on this gateway ` +
          `(limits.max_feed_subscribers_per_tenant); close one or try again later`,
      );
    }
    this.perSession.set(sessionKey, inSession + 1);
    this.perTenant.set(tenantId, inTenant + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      decrement(this.perSession, sessionKey);
      decrement(this.perTenant, tenantId);
    };
  }
}

function decrement(map: Map<string, number>, key: string): void {
  const n = (map.get(key) ?? 1) - 1;
  if (n > 0) map.set(key, n);
  else map.delete(key);
}
