import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ObsWebSocketSocket } from '@olt/shared';
import {
  createLiveTranslateClient,
  readWav,
  speechFixture,
  startHeadlessObs,
  startLocalStack,
  streamAudio,
  type HeadlessObs,
  type LocalStack,
} from '@olt/devkit';
import { needsProgram } from '@olt/devkit/dist/testing';
import type { LiveTranslateClient } from '@olt/shared';

const skip = needsProgram('obs', 'per-session OBS output e2e (StreamConfig.obs_outputs)');

describe('a stream that names its own OBS server (StreamConfig.obs_outputs)', { skip }, () => {
  let stack: LocalStack;
  let obs: HeadlessObs;
  let client: LiveTranslateClient;

  before(async () => {
    [obs, stack] = await Promise.all([
      startHeadlessObs(),
      startLocalStack({ settings: { obs: { allow_session_outputs: true } } }),
    ]);
    client = createLiveTranslateClient(stack.grpcAddress);
  });

  after(async () => {
    client?.close();
    await stack?.stop();
    await obs?.dispose();
  });

  it('gets its final transcript and translation into a real OBS text source, through the gateway', async () => {
    const wav = readWav(speechFixture('hello.wav').path);
    const outcome = await streamAudio(client, {
      config: {
        audio: { encoding: 'LINEAR16', sampleRateHz: wav.sampleRate, channels: 1 },
        sourceLanguage: 'en',
        targetLanguages: ['es'],
        obsOutputs: [
          {
            url: obs.url,
            password: obs.password,
            textSource: 'Stream Subs',
            createSource: true,
            languages: ['source', 'es'],
          },
        ],
      },
      pcm: wav.data,
    });
    assert.equal(outcome.error, undefined, outcome.error?.details);
    const final = outcome.responses.find((r) => r.transcript?.isFinal)!.transcript!.text;
    const spanish = outcome.responses.find((r) => r.translation)!.translation!.text;

    const probe = new ObsWebSocketSocket();
    await probe.connect(obs.url, obs.password);
    try {
      const deadline = Date.now() + 15_000;
      let text = '';
      while (Date.now() < deadline) {
        text = await probe
          .call('GetInputSettings', { inputName: 'Stream Subs' })
          .then((r) => String((r.inputSettings as { text?: string }).text ?? ''))
          .catch(() => '');
        if (text.includes(final) && text.includes(spanish)) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(text.includes(final) && text.includes(spanish), `OBS shows "${text}"`);
    } finally {
      await probe.disconnect();
    }
  });
});
