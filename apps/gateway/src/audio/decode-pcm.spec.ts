import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '@olt/shared';
import { decodePcm, decodePcmInto } from './decode-pcm';
import { validateAudioFormat } from './pcm-format';

function int16(values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 2);
  values.forEach((v, i) => b.writeInt16LE(v, i * 2));
  return b;
}

function float32(values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => b.writeFloatLE(v, i * 4));
  return b;
}

const invalidArgumentMatching = (pattern: RegExp) => (e: unknown) =>
  e instanceof AppError && e.code === 'INVALID_ARGUMENT' && pattern.test(e.message);

describe('decodePcm', () => {
  it('scales LINEAR16 mono to [-1, 1)', () => {
    const out = decodePcm(int16([0, 16384, -32768, 32767]), { encoding: 'LINEAR16', channels: 1 });
    assert.deepEqual(Array.from(out), [0, 0.5, -1, 32767 / 32768]);
  });

  it('averages interleaved LINEAR16 stereo into mono', () => {
    const out = decodePcm(int16([16384, 0, -16384, -16384, 8192, -8192]), {
      encoding: 'LINEAR16',
      channels: 2,
    });
    assert.deepEqual(Array.from(out), [0.25, -0.5, 0]);
  });

  it('averages FLOAT32 with three channels', () => {
    const out = decodePcm(float32([0.3, 0.6, 0.9, -1, 0, 1]), { encoding: 'FLOAT32', channels: 3 });
    assert.equal(out.length, 2);
    assert.ok(Math.abs(out[0] - 0.6) < 1e-6);
    assert.equal(out[1], 0);
  });

  it('reads samples from a Buffer that starts at an odd offset of its ArrayBuffer', () => {
    const backing = Buffer.alloc(9);
    const chunk = backing.subarray(1);
    float32([0.25, -0.75]).copy(chunk);
    assert.deepEqual(Array.from(decodePcm(chunk, { encoding: 'FLOAT32', channels: 1 })), [0.25, -0.75]);
  });

  it('rejects an odd LINEAR16 byte count, saying what was received and what is needed', () => {
    assert.throws(
      () => decodePcm(Buffer.alloc(1001), { encoding: 'LINEAR16', channels: 1 }),
      invalidArgumentMatching(/1001 bytes.*multiple of 2 bytes/),
    );
  });

  it('rejects a stereo chunk that splits a sample frame', () => {
    assert.throws(
      () => decodePcm(Buffer.alloc(6), { encoding: 'LINEAR16', channels: 2 }),
      invalidArgumentMatching(/6 bytes.*multiple of 4 bytes \(2 bytes per sample × 2 channels\)/),
    );
    assert.throws(
      () => decodePcm(Buffer.alloc(12), { encoding: 'FLOAT32', channels: 2 }),
      invalidArgumentMatching(/12 bytes.*FLOAT32 needs a multiple of 8 bytes/),
    );
  });

  it('rejects NaN and infinite FLOAT32 samples', () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      assert.throws(
        () => decodePcm(float32([0, bad]), { encoding: 'FLOAT32', channels: 1 }),
        invalidArgumentMatching(/non-finite FLOAT32 sample/),
      );
    }
  });

  it('decodes an empty chunk to no samples', () => {
    assert.equal(decodePcm(Buffer.alloc(0), { encoding: 'LINEAR16', channels: 2 }).length, 0);
  });

  it('decodePcmInto writes into a reused buffer and reports the count', () => {
    const out = new Float32Array(8).fill(9);
    assert.equal(decodePcmInto(int16([16384, 16384]), { encoding: 'LINEAR16', channels: 1 }, out), 2);
    assert.deepEqual(Array.from(out.subarray(0, 3)), [0.5, 0.5, 9]);
  });
});

describe('validateAudioFormat', () => {
  it('accepts encodings by name or proto number and returns a typed format', () => {
    assert.deepEqual(validateAudioFormat({ encoding: 'LINEAR16', sampleRateHz: 48000, channels: 2 }), {
      encoding: 'LINEAR16',
      sampleRateHz: 48000,
      channels: 2,
    });
    assert.equal(validateAudioFormat({ encoding: 2, sampleRateHz: 8000, channels: 1 }).encoding, 'FLOAT32');
  });

  it('rejects a missing or out-of-range sample rate, naming the value and the range', () => {
    assert.throws(
      () => validateAudioFormat({ encoding: 'LINEAR16', sampleRateHz: 0, channels: 1 }),
      invalidArgumentMatching(/sample_rate_hz is 0 \(not set\).*from 8000 to 192000/),
    );
    assert.throws(
      () => validateAudioFormat({ encoding: 'LINEAR16', sampleRateHz: 7999, channels: 1 }),
      invalidArgumentMatching(/sample_rate_hz is 7999/),
    );
    assert.throws(
      () => validateAudioFormat({ encoding: 'LINEAR16', sampleRateHz: 384000, channels: 1 }),
      invalidArgumentMatching(/sample_rate_hz is 384000/),
    );
    assert.throws(
      () => validateAudioFormat({ encoding: 'LINEAR16', sampleRateHz: 44100.5, channels: 1 }),
      invalidArgumentMatching(/whole number/),
    );
  });

  it('rejects 0 or more than 8 channels', () => {
    assert.throws(
      () => validateAudioFormat({ encoding: 'LINEAR16', sampleRateHz: 16000, channels: 0 }),
      invalidArgumentMatching(/channels is 0 \(not set\).*from 1 to 8/),
    );
    assert.throws(
      () => validateAudioFormat({ encoding: 'LINEAR16', sampleRateHz: 16000, channels: 9 }),
      invalidArgumentMatching(/channels is 9/),
    );
  });

  it('rejects an unspecified or unknown encoding, listing the supported ones', () => {
    assert.throws(
      () => validateAudioFormat({ encoding: 'AUDIO_ENCODING_UNSPECIFIED', sampleRateHz: 16000, channels: 1 }),
      invalidArgumentMatching(/encoding is not set.*LINEAR16.*FLOAT32/),
    );
    assert.throws(
      () => validateAudioFormat({ encoding: 'MULAW', sampleRateHz: 16000, channels: 1 }),
      invalidArgumentMatching(/encoding is "MULAW"/),
    );
  });
});
