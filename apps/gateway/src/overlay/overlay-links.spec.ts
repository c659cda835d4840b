import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigService } from '@olt/shared';
import { OverlayLinks } from './overlay-links';

describe('OverlayLinks signing key', () => {
  it('refuses a random per-process key on a gateway of a fleet, with what to set', () => {
    const config = new ConfigService({ env: {}, overrides: { gateway: { fleet: true } } });
    assert.throws(
      () => new OverlayLinks(config),
      /overlay\.token_secret is empty.*OLT__OVERLAY__TOKEN_SECRET/s,
    );
  });

  it('links signed by one gateway verify on another with the same configured key', () => {
    const overrides = { gateway: { fleet: true }, overlay: { tokenSecret: 'one-key-for-the-whole-fleet' } };
    const [a, b] = [
      new OverlayLinks(new ConfigService({ env: {}, overrides })),
      new OverlayLinks(new ConfigService({ env: {}, overrides })),
    ];
    const url = new URL(a.overlayUrlFor('s1', 'acme'));
    assert.equal(b.verify(url.searchParams.get('token') ?? '', 's1').tenantId, 'acme');
  });

  it('still starts alone with a random key', () => {
    assert.doesNotThrow(() => new OverlayLinks(new ConfigService({ env: {}, overrides: {} })));
  });
});
