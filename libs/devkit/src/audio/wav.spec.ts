import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { AppError } from '@olt/shared';
import { encodeWav, fromPcm, parseWav, readWav, toPcm, writeWav } from './wav';
import { interleave, resampleLinear, sine } from './signal';
import { speechFixture, speechFixtures } from './speech-fixtures';

function chunk(id: string, body: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.write(id, 0, 'ascii');
  header.writeUInt32LE(body.length, 4);
  return Buffer.concat([header, body, body.length % 2 ? Buffer.alloc(1) : Buffer.alloc(0)]);
}

function riff(chunks: Buffer[]): Buffer {
  const body = Buffer.concat([Buffer.from('WAVE', 'ascii'), ...chunks]);
  const header = Buffer.alloc(8);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(body.length, 4);
  return Buffer.concat([header, body]);
}

function fmtBody(formatTag: number, channels: number, rate: number, bits: number): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt16LE(formatTag, 0);
  b.writeUInt16LE(channels, 2);
  b.writeUInt32LE(rate, 4);
  b.writeUInt32LE((rate * channels * bits) / 8, 8);
  b.writeUInt16LE((channels * bits) / 8, 12);
  b.writeUInt16LE(bits, 14);
  return b;
}

describe('WAV reading and writing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'olt-wav-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips 16-bit stereo through a file with sample values kept to 1/32768', () => {
    const samples = interleave([sine(440, 8000, 0.1, 0.9), sine(660, 8000, 0.1, 0.3)]);
    const path = join(dir, 'stereo16.wav');
    writeWav(path, { sampleRate: 8000, channels: 2, encoding: 'LINEAR16', samples });
    const wav = readWav(path);
    assert.equal(wav.sampleRate, 8000);
    assert.equal(wav.channels, 2);
    assert.equal(wav.encoding, 'LINEAR16');
    assert.equal(wav.samples.length, samples.length);
    assert.equal(wav.data.length, samples.length * 2);
    for (let i = 0; i < samples.length; i++) assert.ok(Math.abs(wav.samples[i] - samples[i]) <= 1 / 32768);
  });

  it('round-trips float32 exactly', () => {
    const samples = sine(1000, 48000, 0.05, 0.7);
    const wav = parseWav(encodeWav({ sampleRate: 48000, channels: 1, encoding: 'FLOAT32', samples }));
    assert.equal(wav.encoding, 'FLOAT32');
    assert.equal(wav.sampleRate, 48000);
    assert.deepEqual(wav.samples, samples);
    assert.deepEqual(fromPcm(wav.data, 'FLOAT32'), samples);
  });

  it('finds fmt and data among LIST chunks in any order, honouring odd-size padding', () => {
    const pcm = toPcm(new Float32Array([0.5, -0.5, 0.25]), 'LINEAR16');
    const file = riff([
      chunk('LIST', Buffer.from('INFOISFT\x03\x00\x00\x00ab\x00', 'latin1')), // odd length: padded
      chunk('data', pcm),
      chunk('fmt ', fmtBody(1, 1, 22050, 16)),
      chunk('LIST', Buffer.from('INFO', 'ascii')),
    ]);
    const wav = parseWav(file);
    assert.equal(wav.sampleRate, 22050);
    assert.deepEqual(Array.from(wav.samples), [0.5, -0.5, 0.25]);
  });

  it('reads WAVE_FORMAT_EXTENSIBLE float files', () => {
    const ext = Buffer.alloc(40);
    fmtBody(0xfffe, 1, 16000, 32).copy(ext);
    ext.writeUInt16LE(22, 16);
    ext.writeUInt16LE(32, 18);
    ext.writeUInt16LE(3, 24); // KSDATAFORMAT_SUBTYPE_IEEE_FLOAT starts with 0x0003
    const wav = parseWav(
      riff([chunk('fmt ', ext), chunk('data', toPcm(new Float32Array([0.125]), 'FLOAT32'))]),
    );
    assert.equal(wav.encoding, 'FLOAT32');
    assert.deepEqual(Array.from(wav.samples), [0.125]);
  });

  it('reads a streamed WAV whose data size was left at 0xFFFFFFFF', () => {
    const file = riff([
      chunk('fmt ', fmtBody(1, 1, 16000, 16)),
      chunk('data', toPcm(new Float32Array(10), 'LINEAR16')),
    ]);
    file.writeUInt32LE(0xffffffff, file.length - 20 - 4);
    assert.equal(parseWav(file).samples.length, 10);
  });

  it('rejects 24-bit PCM with a message naming the format and how to convert', () => {
    const file = riff([chunk('fmt ', fmtBody(1, 1, 16000, 24)), chunk('data', Buffer.alloc(6))]);
    assert.throws(
      () => parseWav(file, 'x.wav'),
      (e: unknown) =>
        e instanceof AppError && /x\.wav holds 24-bit integer PCM/.test(e.message) && /sox/.test(e.message),
    );
  });

  it('rejects non-RIFF data and files without a data chunk', () => {
    assert.throws(() => parseWav(Buffer.from('ID3 not a wav file')), /not a RIFF\/WAVE file/);
    assert.throws(() => parseWav(riff([chunk('fmt ', fmtBody(1, 1, 16000, 16))])), /no "data" chunk/);
  });

  it('clips LINEAR16 encoding to full scale instead of wrapping around', () => {
    const pcm = toPcm(new Float32Array([1.5, -1.5, 1]), 'LINEAR16');
    assert.deepEqual([pcm.readInt16LE(0), pcm.readInt16LE(2), pcm.readInt16LE(4)], [32767, -32768, 32767]);
  });

  it('resampleLinear keeps duration and the tone frequency', () => {
    const x = sine(500, 16000, 1);
    const y = resampleLinear(x, 16000, 48000);
    assert.equal(y.length, (x.length - 1) * 3 + 1);
    for (let i = 0; i < x.length; i += 97) assert.ok(Math.abs(y[i * 3] - x[i]) < 1e-6);
  });
});

describe('speech fixtures', () => {
  it('lists committed 16 kHz mono files whose lengths match the manifest', () => {
    const fixtures = speechFixtures();
    assert.deepEqual(fixtures.map((f) => f.file).sort(), ['hello.wav', 'two-sentences.wav']);
    for (const f of fixtures) {
      const wav = readWav(f.path);
      assert.equal(wav.sampleRate, f.sampleRate);
      assert.equal(wav.channels, 1);
      assert.equal(wav.samples.length, f.samples);
      assert.ok(f.utterances.length >= 1 && f.utterances.every((u) => u.text.length > 0));
    }
    assert.equal(speechFixture('two-sentences.wav').utterances.length, 2);
  });
});
