import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '@olt/shared';
import { maskProfanity, profanityLanguages } from './profanity-mask';
import { maxTargetsFor } from './target-limits';

describe('profanity masking', () => {
  it('masks whole listed words (and listed stems) keeping the first letter, in the text language only', () => {
    assert.equal(
      maskProfanity('What the fuck, this is fucking SHIT!', 'eng_Latn'),
      'What the f***, this is f****** S***!',
    );
    assert.equal(
      maskProfanity('Scunthorpe is a classic, dickens', 'eng_Latn'),
      'Scunthorpe is a classic, dickens',
    );
    assert.equal(maskProfanity('¡Qué mierda!', 'spa_Latn'), '¡Qué m*****!');
    assert.equal(maskProfanity('Scheiße', 'deu_Latn'), 'S******');
    assert.equal(maskProfanity('fuck', 'spa_Latn'), 'fuck', 'the Spanish list does not hold English words');
    assert.equal(maskProfanity('merde', 'jpn_Jpan'), 'merde', 'no list: unchanged');
    assert.ok(profanityLanguages().includes('fra_Latn'));
  });
});

describe('target limits', () => {
  it('is the plan limit capped by limits.max_targets', () => {
    const limits = loadConfig({
      env: {},
      overrides: { limits: { maxTargets: 6, maxTargetsByPlan: { free: 2, pro: 10, enterprise: 50 } } },
    }).limits;
    assert.equal(maxTargetsFor(limits, 'free'), 2);
    assert.equal(maxTargetsFor(limits, 'pro'), 6);
    assert.equal(maxTargetsFor(limits, 'enterprise'), 6);
  });
});
