import { Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { ConfigService, unauthenticated } from '@olt/shared';
import type { Tenant } from './tenant';

const ANONYMOUS: Tenant = { id: 'anonymous', plan: 'free', maxStreams: 10 };

/** Maps `authorization: Bearer <api key>` to a tenant. Keys are compared as SHA-256 digests. */
@Injectable()
export class ApiKeyAuthenticator {
  constructor(private readonly config: ConfigService) {}

  /**
   * From gRPC metadata, where a key may repeat: two `authorization` entries are refused rather than
   * resolved by picking one (which one a proxy or client library forwards first is not defined).
   */
  authenticateMetadata(values: ReadonlyArray<string | Buffer>): Tenant {
    if (values.length > 1) {
      throw unauthenticated(
        `${values.length} "authorization" metadata entries: send exactly one "authorization: Bearer <api key>"`,
      );
    }
    return this.authenticate(values[0]?.toString());
  }

  authenticate(authorization: string | undefined): Tenant {
    const cfg = this.config.current;
    const key = parseBearer(authorization);
    if (key === undefined) {
      if (cfg.auth.allowAnonymous) return ANONYMOUS;
      throw unauthenticated('missing API key: send metadata "authorization: Bearer <api key>"');
    }
    const digest = createHash('sha256').update(key).digest();
    for (const t of cfg.tenants) {
      const expected = t.apiKeySha256
        ? Buffer.from(t.apiKeySha256, 'hex')
        : createHash('sha256')
            .update(t.apiKey ?? '')
            .digest();
      if (expected.length === digest.length && timingSafeEqual(expected, digest)) {
        return { id: t.id, plan: t.plan, maxStreams: t.maxStreams };
      }
    }
    throw unauthenticated('API key not recognised: check the key, or ask the operator for a new one');
  }
}

function parseBearer(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(value);
  if (!match) throw unauthenticated('authorization metadata must be "Bearer <api key>"');
  return match[1];
}
