import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../errors';
import { findLanguage, listLanguages, resolveLanguage } from './language-resolver';
import { FLORES200_CODES } from './language-table';
import { WHISPER_LANGUAGES } from './whisper-languages';

const floresOf = (code: string) => findLanguage(code)?.flores;

function rejects(code: string, role: 'source' | 'target', ...fragments: string[]): void {
  assert.throws(
    () => resolveLanguage(code, role),
    (err: unknown) => {
      assert.ok(err instanceof AppError);
      assert.equal(err.code, 'INVALID_ARGUMENT');
      for (const f of fragments) assert.ok(err.message.includes(f), `"${err.message}" should mention ${f}`);
      return true;
    },
  );
}

describe('language table and resolver', () => {
  it('has the 202 FLORES-200 codes, each with a unique BCP-47 tag and an English name', () => {
    assert.equal(FLORES200_CODES.length, 202);
    assert.equal(new Set(FLORES200_CODES).size, 202);
    const all = listLanguages();
    assert.equal(all.length, 205, '202 NLLB languages + Latin, Breton, Hawaiian (Whisper only)');
    assert.equal(new Set(all.map((l) => l.bcp47.toLowerCase())).size, all.length);
    for (const l of all) {
      assert.match(l.name, /^[A-Z]/, l.bcp47);
      assert.equal(findLanguage(l.bcp47), l, `${l.bcp47} resolves to itself`);
      if (l.flores) assert.equal(findLanguage(l.flores), l, l.flores);
    }
  });

  it('maps every Whisper language to the same FLORES code and BCP-47 tag as the Whisper table', () => {
    for (const [whisper, bcp47, flores] of WHISPER_LANGUAGES) {
      const l = findLanguage(whisper)!;
      assert.deepEqual([l.whisper, l.bcp47, l.flores], [whisper, bcp47, flores], whisper);
    }
  });

  it('accepts BCP-47 with script and region subtags, Whisper codes, FLORES codes and ISO 639-3', () => {
    assert.equal(floresOf('zh-Hant'), 'zho_Hant');
    assert.equal(floresOf('zh-Hant-TW'), 'zho_Hant');
    assert.equal(floresOf('zh-TW'), 'zho_Hant');
    assert.equal(floresOf('zh-CN'), 'zho_Hans');
    assert.equal(floresOf('zh'), 'zho_Hans');
    assert.equal(floresOf('pt-BR'), 'por_Latn');
    assert.equal(floresOf('es_MX'), 'spa_Latn');
    assert.equal(floresOf('EN-us'), 'eng_Latn');
    assert.equal(floresOf('jw'), 'jav_Latn');
    assert.equal(floresOf('jv'), 'jav_Latn');
    assert.equal(floresOf('SPA_LATN'), 'spa_Latn');
    assert.equal(floresOf('fra'), 'fra_Latn');
    assert.equal(floresOf('ks-Deva'), 'kas_Deva');
    assert.equal(floresOf('fa-AF'), 'prs_Arab');
    assert.equal(floresOf('fil'), 'tgl_Latn');
    assert.equal(findLanguage('spa_Cyrl'), undefined, 'a FLORES script NLLB lacks is not changed silently');
    assert.equal(findLanguage(''), undefined);
  });

  it('rejects unknown codes with INVALID_ARGUMENT naming the code and a close match', () => {
    rejects('spa_Latm', 'target', '"spa_Latm"', '"spa_Latn"');
    rejects('englsh', 'target', '"englsh"');
    rejects('xx', 'source', '"xx"');
  });

  it('rejects languages in the wrong role, naming the closest language that fits the role', () => {
    rejects('la', 'target', '"la"', 'Latin', 'NLLB');
    rejects('haw', 'target', 'Hawaiian');
    rejects('zul_Latn', 'source', 'Zulu', 'Whisper');
    assert.equal(resolveLanguage('zu', 'target').flores, 'zul_Latn');
    assert.equal(resolveLanguage('la', 'source').whisper, 'la');
  });
});
