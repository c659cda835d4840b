import { createHmac, timingSafeEqual } from 'node:crypto';
import { unauthenticated } from '@olt/shared';

/** A signing key and the id written into the tokens it signs. */
export interface OverlayKey {
  id: string;
  secret: Buffer;
}

/** What an overlay link grants: reading one session's subtitles of one tenant, until `exp`. */
export interface OverlayGrant {
  sessionId: string;
  tenantId: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
}

/**
 * Read-only overlay tokens: base64url(JSON {v: 2, k, s, t, exp}) "." base64url(HMAC-SHA256(key, payload)),
 * `k` naming the key that signed it, so keys rotate without breaking the links already in OBS scenes.
 * Self-contained, so any gateway holding the same keys can check one without shared state; it can only
 * read, never stream or translate, so it may sit in an OBS scene file. v1 tokens (no `k`, signed with the
 * current key) are still accepted.
 */
export function signOverlayToken(grant: OverlayGrant, key: OverlayKey): string {
  const payload = Buffer.from(
    JSON.stringify({ v: 2, k: key.id, s: grant.sessionId, t: grant.tenantId, exp: grant.exp }),
  ).toString('base64url');
  return `${payload}.${mac(payload, key.secret)}`;
}

/** Checks signature, expiry and session; throws UNAUTHENTICATED with the reason otherwise. */
export function verifyOverlayToken(
  token: string | undefined,
  sessionId: string,
  keys: { current: OverlayKey; previous?: readonly OverlayKey[] },
  nowS: number,
): OverlayGrant {
  if (!token) {
    throw unauthenticated(
      'overlay link has no token: copy the full overlay_url from SessionStarted (or GET /v1/sessions/{id})',
    );
  }
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined) throw unauthenticated('overlay token is malformed');
  let claims: { v?: number; k?: unknown; s?: unknown; t?: unknown; exp?: unknown };
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof claims;
  } catch {
    throw unauthenticated('overlay token is malformed');
  }
  // The key id is read before the signature is checked only to pick the key; nothing else is trusted yet.
  const key =
    claims.v === 1
      ? keys.current
      : [keys.current, ...(keys.previous ?? [])].find(
          (k) => typeof claims.k === 'string' && k.id === claims.k,
        );
  if (!key) {
    throw unauthenticated(
      `overlay link was signed with key "${String(claims.k).slice(0, 32)}", which this deployment no longer ` +
        'accepts (rotated out): get a new link from SessionStarted or GET /v1/sessions/{id}',
    );
  }
  const expected = Buffer.from(mac(payload, key.secret));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw unauthenticated(
      'overlay token signature is not valid: the link was altered, or made by a gateway with another ' +
        'overlay.token_secret (gateways behind one address must share it)',
    );
  }
  if (
    (claims.v !== 1 && claims.v !== 2) ||
    typeof claims.s !== 'string' ||
    typeof claims.t !== 'string' ||
    typeof claims.exp !== 'number'
  )
    throw unauthenticated('overlay token is malformed');
  if (claims.exp <= nowS) {
    throw unauthenticated(
      `overlay link expired at ${new Date(claims.exp * 1000).toISOString()}: get a new one from SessionStarted or GET /v1/sessions/{id}`,
    );
  }
  if (claims.s !== sessionId) throw unauthenticated('overlay token was issued for another session');
  return { sessionId: claims.s, tenantId: claims.t, exp: claims.exp };
}

function mac(payload: string, secret: Buffer): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}
