import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import {
  bearer,
  createLiveTranslateClient,
  readWav,
  speechFixture,
  startLocalStack,
  type LocalStack,
} from '@olt/devkit';
import type {
  LiveTranslateClient,
  StreamRequest,
  StreamResponse__Output,
  TranslateTextRequest,
  TranslateTextResponse__Output,
} from '@olt/shared';

const API_KEY = 'translation-e2e-key';

/** Raw protobuf of a TranslateTextRequest: field 1 (text) as the given bytes, 2 = source, 3 = target. */
function rawTranslateTextRequest(textBytes: Buffer, source: string, target: string): Buffer {
  const field = (tag: number, bytes: Buffer) => Buffer.concat([Buffer.from([tag, bytes.length]), bytes]);
  return Buffer.concat([
    field(0x0a, textBytes),
    field(0x12, Buffer.from(source)),
    field(0x1a, Buffer.from(target)),
  ]);
}

describe('translation end to end: many targets, cache, glossary, bad input', () => {
  let stack: LocalStack;
  let client: LiveTranslateClient;
  let workerMetricsUrl: string | undefined;

  before(async () => {
    stack = await startLocalStack({
      apiKeys: { tenant: API_KEY },
      onLine: (label, line) => {
        // The worker logs its health/metrics port once it consumes: the test reads its model counter there.
        if (label.startsWith('translate-worker') && line.includes('"worker consuming"')) {
          workerMetricsUrl = `http://127.0.0.1:${(JSON.parse(line) as { httpPort: number }).httpPort}/metrics`;
        }
      },
    });
    client = createLiveTranslateClient(stack.grpcAddress);
  });

  after(async () => {
    client?.close();
    await stack?.stop();
  });

  const translateText = (req: TranslateTextRequest, apiKey: string | undefined = API_KEY) =>
    new Promise<TranslateTextResponse__Output>((resolve, reject) =>
      client.translateText(req, bearer(apiKey), (err, r) => (err ? reject(err) : resolve(r!))),
    );

  async function modelRows(): Promise<number> {
    assert.ok(workerMetricsUrl, 'translate worker metrics port seen in its log');
    const text = await (await fetch(workerMetricsUrl)).text();
    const line = text.split('\n').find((l) => l.startsWith('olt_worker_translate_rows_total'));
    return line ? Number(line.split(' ').at(-1)) : 0;
  }

  async function rejectsWith(req: TranslateTextRequest, code: grpc.status, ...fragments: string[]) {
    await assert.rejects(translateText(req), (err: grpc.ServiceError) => {
      assert.equal(err.code, code, err.details);
      for (const f of fragments) assert.ok(err.details.includes(f), `"${err.details}" should mention ${f}`);
      return true;
    });
  }

  it('UPDATE_TARGETS changes the targets mid-stream; a target equal to the source gets the transcript', async () => {
    const wav = readWav(speechFixture('hello.wav').path);
    const responses: StreamResponse__Output[] = [];
    const call = client.streamTranslate(bearer(API_KEY));
    let onResponse = () => undefined as void;
    call.on('data', (r: StreamResponse__Output) => {
      responses.push(r);
      onResponse();
    });
    const ended = new Promise<grpc.ServiceError | undefined>((resolve) => {
      call.on('error', (err: grpc.ServiceError) => resolve(err));
      call.on('end', () => resolve(undefined));
    });
    const waitFor = (pred: () => boolean) =>
      new Promise<void>((resolve) => {
        onResponse = () => pred() && resolve();
        onResponse();
      });
    const write = (m: StreamRequest) => call.write(m);
    write({
      config: {
        audio: { encoding: 'LINEAR16', sampleRateHz: wav.sampleRate, channels: 1 },
        sourceLanguage: 'en',
        targetLanguages: ['es'],
      },
    });
    write({ audio: { data: wav.data } });
    write({ control: { type: 'FLUSH' } });
    // The first segment's translation is out before the targets change: it belongs to the old targets.
    await waitFor(() => responses.some((r) => r.translation));
    write({ control: { type: 'UPDATE_TARGETS', targetLanguages: ['fr', 'en', 'de'] } });
    write({ audio: { data: wav.data } });
    call.end();
    assert.equal(await ended, undefined);

    const finals = responses.filter((r) => r.transcript?.isFinal).map((r) => r.transcript!);
    assert.ok(finals.length >= 2, `two segments, got ${finals.length}`);
    const targetsOf = (segmentId: string) =>
      responses
        .filter((r) => r.translation?.segmentId === segmentId)
        .map((r) => r.translation!.targetLanguage)
        .sort();
    assert.deepEqual(targetsOf(finals[0].segmentId), ['es']);
    const last = finals.at(-1)!;
    assert.notEqual(last.text, '', 'the tiny Whisper hears the fixture');
    assert.deepEqual(targetsOf(last.segmentId), ['de', 'en', 'fr']);
    const en = responses.find(
      (r) => r.translation?.segmentId === last.segmentId && r.translation.targetLanguage === 'en',
    );
    assert.equal(en!.translation!.text, last.text.trim(), 'source == target: the transcript itself');
    assert.equal(en!.translation!.fromCache, false);
  });

  it('runs the model once for 8 concurrent identical TranslateText calls; the next call is from the cache', async () => {
    const before = await modelRows();
    const req = {
      text: 'This is the catchphrase of the stream',
      sourceLanguage: 'en',
      targetLanguages: ['es'],
    };
    const results = await Promise.all(Array.from({ length: 8 }, () => translateText(req)));
    assert.equal((await modelRows()) - before, 1, 'one sentence decoded by the model');
    assert.equal(new Set(results.map((r) => r.translations[0].text)).size, 1);
    const again = await translateText(req);
    assert.equal(again.translations[0].fromCache, true);
    assert.equal(again.translations[0].text, results[0].translations[0].text);
    assert.equal(await modelRows(), before + 1);
  });

  it('never sends the source language through the model', async () => {
    const before = await modelRows();
    const res = await translateText({
      text: '  Hola a todos  ',
      sourceLanguage: 'spa_Latn',
      targetLanguages: ['es-MX'],
    });
    assert.deepEqual(
      res.translations.map((t) => [t.targetLanguage, t.text, t.fromCache]),
      [['es', 'Hola a todos', false]],
    );
    assert.equal(await modelRows(), before);
  });

  it('keeps glossary terms as they are, and caches per glossary', async () => {
    const text = 'We play Valorant tonight with the OBS crew';
    const res = await translateText({
      text,
      sourceLanguage: 'en',
      targetLanguages: ['es', 'zh-Hant'],
      glossary: [{ source: 'Valorant' }, { source: 'OBS', target: 'OBS Studio' }],
    });
    for (const t of res.translations) {
      assert.ok(
        t.text.includes('Valorant') && t.text.includes('OBS Studio'),
        `${t.targetLanguage}: ${t.text}`,
      );
    }
    assert.deepEqual(
      res.translations.map((t) => t.targetLanguage),
      ['es', 'zh-Hant'],
    );
    const plain = await translateText({ text, sourceLanguage: 'en', targetLanguages: ['es'] });
    assert.equal(plain.translations[0].fromCache, false, 'no glossary = another cache entry');
    assert.ok(!plain.translations[0].text.includes('Valorant'));
  });

  it('ListLanguages lists all 202 NLLB languages as targets of this deployment and Whisper ones as sources', async () => {
    const res = await new Promise<{
      languages: {
        code: string;
        floresCode: string;
        whisperCode: string;
        asrSource: boolean;
        mtTarget: boolean;
      }[];
    }>((resolve, reject) =>
      client.listLanguages({}, bearer(API_KEY), (err, r) => (err ? reject(err) : resolve(r!))),
    );
    assert.equal(res.languages.length, 205);
    assert.equal(res.languages.filter((l) => l.mtTarget).length, 202);
    assert.equal(res.languages.filter((l) => l.asrSource).length, 100);
    const la = res.languages.find((l) => l.code === 'la')!;
    assert.deepEqual([la.asrSource, la.mtTarget], [true, false]);
    const zu = res.languages.find((l) => l.floresCode === 'zul_Latn')!;
    assert.deepEqual([zu.code, zu.asrSource, zu.mtTarget], ['zu', false, true]);
  });

  it('rejects bad TranslateText input with INVALID_ARGUMENT and a message to act on', async () => {
    await rejectsWith(
      { text: '', sourceLanguage: 'en', targetLanguages: ['es'] },
      grpc.status.INVALID_ARGUMENT,
      'empty',
    );
    await rejectsWith(
      { text: ' \n\t', sourceLanguage: 'en', targetLanguages: ['es'] },
      grpc.status.INVALID_ARGUMENT,
      'empty',
    );
    await rejectsWith(
      { text: 'word '.repeat(20_480), sourceLanguage: 'en', targetLanguages: ['es'] },
      grpc.status.INVALID_ARGUMENT,
      '102400 bytes',
      'limit is 20000',
      'split',
    );
    await rejectsWith(
      { text: 'hi', sourceLanguage: 'en', targetLanguages: ['spa_Latm'] },
      grpc.status.INVALID_ARGUMENT,
      '"spa_Latm"',
      '"spa_Latn"',
    );
    await rejectsWith(
      { text: 'hi', sourceLanguage: 'englsh', targetLanguages: ['es'] },
      grpc.status.INVALID_ARGUMENT,
      '"englsh"',
    );
    await rejectsWith(
      { text: 'hi', sourceLanguage: 'en', targetLanguages: ['la'] },
      grpc.status.INVALID_ARGUMENT,
      'Latin',
      'NLLB',
    );
    await rejectsWith(
      { text: 'hi', sourceLanguage: '', targetLanguages: ['es'] },
      grpc.status.INVALID_ARGUMENT,
      'source_language',
    );
    await rejectsWith(
      { text: 'hi', sourceLanguage: 'en', targetLanguages: [] },
      grpc.status.INVALID_ARGUMENT,
      'target_languages',
    );
  });

  it('limits targets by tenant plan (the stack tenant is pro: 8)', async () => {
    const nine = ['es', 'fr', 'de', 'it', 'pt', 'nl', 'pl', 'sv', 'fi'];
    await rejectsWith(
      { text: 'hi', sourceLanguage: 'en', targetLanguages: nine },
      grpc.status.INVALID_ARGUMENT,
      'at most 8',
    );
    const ok = await translateText({ text: 'hi', sourceLanguage: 'en', targetLanguages: nine.slice(0, 8) });
    assert.equal(ok.translations.length, 8);
  });

  it('answers INVALID_ARGUMENT to invalid UTF-8 in the text field, and keeps serving', async () => {
    const raw = new grpc.Client(stack.grpcAddress, grpc.credentials.createInsecure());
    try {
      for (const bad of [
        Buffer.from([0x68, 0xff, 0x69]),
        Buffer.from([0x61, 0xc3]),
        Buffer.from([0xed, 0xa0, 0x80]),
      ]) {
        const err = await new Promise<grpc.ServiceError | null>((resolve) =>
          raw.makeUnaryRequest(
            '/livetranslate.v1.LiveTranslate/TranslateText',
            (b: Buffer) => b,
            (b: Buffer) => b,
            rawTranslateTextRequest(bad, 'en', 'es'),
            bearer(API_KEY),
            (e) => resolve(e),
          ),
        );
        assert.equal(err?.code, grpc.status.INVALID_ARGUMENT, `${bad.toString('hex')}: ${err?.details}`);
        assert.match(err!.details, /UTF-8/);
      }
    } finally {
      raw.close();
    }
    const still = await translateText({ text: 'still here', sourceLanguage: 'en', targetLanguages: ['fr'] });
    assert.equal(still.translations.length, 1);
  });
});
