import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError, ConfigService } from '@olt/shared';
import { ApiKeyAuthenticator } from './api-key-authenticator';

const auth = new ApiKeyAuthenticator(
  new ConfigService({
    env: {},
    overrides: { tenants: [{ id: 'acme', apiKey: 'key-acme-123', plan: 'pro' }] } as never,
  }),
);
const unauthenticated = (re: RegExp) => (e: unknown) =>
  e instanceof AppError && e.code === 'UNAUTHENTICATED' && re.test(e.message);

describe('ApiKeyAuthenticator', () => {
  it('maps one Bearer key to its tenant', () => {
    assert.equal(auth.authenticateMetadata(['Bearer key-acme-123']).id, 'acme');
  });

  it('refuses two authorization entries, whatever they hold, instead of picking one', () => {
    assert.throws(
      () => auth.authenticateMetadata(['Bearer key-acme-123', 'Bearer wrong']),
      unauthenticated(/2 "authorization" metadata entries/),
    );
    assert.throws(
      () => auth.authenticateMetadata(['Bearer wrong', 'Bearer key-acme-123']),
      unauthenticated(/exactly one/),
    );
  });

  it('refuses a missing, malformed or unknown key with a message a person can act on', () => {
    assert.throws(() => auth.authenticateMetadata([]), unauthenticated(/missing API key/));
    assert.throws(() => auth.authenticate('Basic abc'), unauthenticated(/must be "Bearer <api key>"/));
    assert.throws(() => auth.authenticate('Bearer nope'), unauthenticated(/not recognised/));
  });
});
