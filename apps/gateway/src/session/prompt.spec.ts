import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { promptFrom } from './prompt';

describe('promptFrom', () => {
  it('passes a short previous final whole, and nothing for empty text or a zero limit', () => {
    assert.equal(promptFrom('  hello there ', 200), 'hello there');
    assert.equal(promptFrom('', 200), undefined);
    assert.equal(promptFrom('hello', 0), undefined);
  });

  it('keeps the end of a long final, cut at a word boundary', () => {
    assert.equal(promptFrom('one two three four five', 12), 'four five');
    assert.ok(promptFrom('a'.repeat(50), 10)!.length <= 10);
  });
});
