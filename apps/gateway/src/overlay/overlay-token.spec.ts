import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { AppError, ConfigService } from '@olt/shared';
import { OverlayLinks } from './overlay-links';
import { signOverlayToken, verifyOverlayToken } from './overlay-token';

const secret = Buffer.from('0123456789abcdef0123456789abcdef');
const key = { id: 'k1', secret };
const keys = { current: key };
const grant = { sessionId: 'my-stream', tenantId: 'acme', exp: 2_000_000_000 };

function rejects(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof AppError && err.code === 'UNAUTHENTICATED', String(err));
    assert.match(err.message, pattern);
    return true;
  });
}

describe('overlay tokens', () => {
  it('round-trips a grant signed with the secret', () => {
    const token = signOverlayToken(grant, key);
    assert.deepEqual(verifyOverlayToken(token, 'my-stream', keys, 1_900_000_000), grant);
  });

  it('refuses missing, altered, foreign, expired and other-session tokens with a reason', () => {
    const token = signOverlayToken(grant, key);
    rejects(() => verifyOverlayToken(undefined, 'my-stream', keys, 0), /no token/);
    rejects(() => verifyOverlayToken('abc', 'my-stream', keys, 0), /malformed/);
    const forged =
      signOverlayToken({ ...grant, tenantId: 'evil' }, key).split('.')[0] + '.' + token.split('.')[1];
    rejects(() => verifyOverlayToken(forged, 'my-stream', keys, 0), /signature is not valid/);
    rejects(
      () =>
        verifyOverlayToken(
          token,
          'my-stream',
          { current: { id: 'k1', secret: Buffer.from('another secret of 32 characters!') } },
          0,
        ),
      /token_secret/,
    );
    rejects(() => verifyOverlayToken(token, 'my-stream', keys, 2_000_000_000), /expired at 2033-05-18/);
    rejects(() => verifyOverlayToken(token, 'someone-else', keys, 0), /another session/);
  });

  it('OverlayLinks builds the public overlay URL with a token that expires after token_ttl_s', () => {
    const config = new ConfigService({
      env: {},
      overrides: {
        gateway: { publicUrl: 'https://subs.example.com/' },
        overlay: { tokenSecret: secret.toString(), tokenTtlS: 3600 },
      },
    });
    const links = new OverlayLinks(config);
    const now = Date.UTC(2026, 0, 1);
    const url = new URL(links.overlayUrlFor('room 1', 'acme', now));
    assert.equal(url.origin + url.pathname, 'https://subs.example.com/overlay/room%201');
    const token = url.searchParams.get('token')!;
    assert.deepEqual(links.verify(token, 'room 1', now + 3599_000), {
      sessionId: 'room 1',
      tenantId: 'acme',
      exp: now / 1000 + 3600,
    });
    rejects(() => links.verify(token, 'room 1', now + 3600_000), /expired/);
    // Another gateway with the same secret accepts it; one with a random secret does not.
    assert.equal(new OverlayLinks(config).verify(token, 'room 1', now).tenantId, 'acme');
    const random = new OverlayLinks(new ConfigService({ env: {} }));
    rejects(() => random.verify(token, 'room 1', now), /signature/);
  });

  it('rotates keys: links of the previous key stay valid, links of a key rotated out say so, v1 links still work', () => {
    const oldKey = { id: 'k1', secret };
    const newKey = { id: 'k2', secret: Buffer.from('a brand new key of 32 characters') };
    const oldLink = signOverlayToken(grant, oldKey);
    const rotated = { current: newKey, previous: [oldKey] };
    assert.deepEqual(verifyOverlayToken(oldLink, 'my-stream', rotated, 0), grant);
    assert.deepEqual(verifyOverlayToken(signOverlayToken(grant, newKey), 'my-stream', rotated, 0), grant);
    rejects(() => verifyOverlayToken(oldLink, 'my-stream', { current: newKey }, 0), /key "k1".*no longer/);
    // A previous key cannot forge a link claiming the current key id.
    const claimsK2 = Buffer.from(
      JSON.stringify({ v: 2, k: 'k2', ...{ s: 'my-stream', t: 'x', exp: 2e9 } }),
    ).toString('base64url');
    const forged = `${claimsK2}.${signOverlayToken(grant, oldKey).split('.')[1]}`;
    rejects(() => verifyOverlayToken(forged, 'my-stream', rotated, 0), /signature is not valid/);
    // Links made before key ids existed (v1, no k) verify with the current key.
    const v1 = Buffer.from(JSON.stringify({ v: 1, s: 'my-stream', t: 'acme', exp: 2e9 })).toString(
      'base64url',
    );
    const v1Token = `${v1}.${createHmac('sha256', secret).update(v1).digest('base64url')}`;
    assert.equal(verifyOverlayToken(v1Token, 'my-stream', keys, 0).tenantId, 'acme');
  });
});
