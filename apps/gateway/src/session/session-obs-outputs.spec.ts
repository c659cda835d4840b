import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError, loadConfig, type StreamConfig__Output } from '@olt/shared';
import { parseSessionObsOutputs } from './session-obs-outputs';

const obsConfig = (allow: boolean) =>
  loadConfig({ env: {}, overrides: { obs: { allowSessionOutputs: allow, maxSessionOutputs: 2 } } }).obs;

const withOutputs = (outputs: Partial<StreamConfig__Output['obsOutputs'][number]>[]) =>
  ({
    obsOutputs: outputs.map((o) => ({
      url: '',
      password: '',
      textSource: '',
      createSource: false,
      scene: '',
      interims: false,
      languages: [],
      captions: false,
      captionLanguage: '',
      captionMaxRows: 0,
      ...o,
    })),
  }) as unknown as StreamConfig__Output;

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err instanceof AppError ? `${err.code}: ${err.message}` : String(err);
  }
  return 'no error';
};

describe('StreamConfig.obs_outputs', () => {
  it('is empty when the stream names no OBS server, whatever the deployment allows', () => {
    assert.deepEqual(parseSessionObsOutputs(withOutputs([]), obsConfig(false)), []);
  });

  it('is refused with FAILED_PRECONDITION unless obs.allow_session_outputs is on', () => {
    const config = withOutputs([{ url: 'ws://10.0.0.5:4455', textSource: 'Subs' }]);
    assert.match(
      codeOf(() => parseSessionObsOutputs(config, obsConfig(false))),
      /^FAILED_PRECONDITION: .*allow_session_outputs/,
    );
  });

  it('fills unset fields from the [obs] defaults', () => {
    const [out] = parseSessionObsOutputs(
      withOutputs([
        { url: 'ws://127.0.0.1:4455', password: 'pw', textSource: 'Subs', languages: ['source', 'es'] },
      ]),
      obsConfig(true),
    );
    assert.equal(out.url, 'ws://127.0.0.1:4455');
    assert.equal(out.textSource, 'Subs');
    assert.deepEqual(out.languages, ['source', 'es']);
    assert.equal(out.captionMaxRows, obsConfig(true).captionMaxRows);
  });

  it('names the bad output and the problem, and caps how many a stream may name', () => {
    assert.match(
      codeOf(() =>
        parseSessionObsOutputs(withOutputs([{ url: 'http://x', textSource: 'S' }]), obsConfig(true)),
      ),
      /^INVALID_ARGUMENT: StreamConfig\.obs_outputs\[0\]: OBS url "http:\/\/x"/,
    );
    const three = withOutputs([1, 2, 3].map((i) => ({ url: `ws://127.0.0.1:${4454 + i}`, textSource: 'S' })));
    assert.match(
      codeOf(() => parseSessionObsOutputs(three, obsConfig(true))),
      /^INVALID_ARGUMENT: .*at most 2/,
    );
  });
});
