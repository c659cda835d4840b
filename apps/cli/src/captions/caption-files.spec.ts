import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { CaptionFileWriter } from './caption-file-writer';
import { CueTrack, type TrackUpdate } from './cue-track';
import { formatSrt, formatWebVtt, normaliseCues, type Cue } from './subtitle-formats';

const cues: Cue[] = [
  { startMs: 0, endMs: 1500, text: 'one' },
  { startMs: 1400, endMs: 1700, text: 'two (short, overlaps one)' },
  { startMs: 2000, endMs: 4000, text: 'three' },
  { startMs: 5000, endMs: 5200, text: 'four (short, last)' },
];

/** Replays updates onto an in-memory list, as a file would hold them. */
function replay(track: CueTrack, input: Cue[]): { file: Cue[]; rewrites: number } {
  let file: Cue[] = [];
  let rewrites = 0;
  const apply = (u: TrackUpdate | undefined) => {
    if (u?.kind === 'append') file.push(...u.cues);
    if (u?.kind === 'rewrite') {
      rewrites++;
      file = [...u.cues];
    }
  };
  for (const c of input) apply(track.add(c));
  apply(track.finish());
  return { file, rewrites };
}

describe('CueTrack: append-only caption order', () => {
  test('cues in order are only appended and end up exactly as a full rewrite would write them', () => {
    const { file, rewrites } = replay(new CueTrack(), cues);
    assert.equal(rewrites, 0);
    assert.deepEqual(file, normaliseCues(cues));
  });

  test('a short cue waits for the next one (its end depends on it); a long one is written at once', () => {
    const track = new CueTrack();
    assert.deepEqual(track.add(cues[0]), { kind: 'append', cues: [cues[0]] });
    assert.equal(track.add(cues[1]), undefined, 'short cue held');
    const next = track.add(cues[2]);
    assert.equal(next?.kind, 'append');
    assert.equal(next?.cues.length, 2);
  });

  test('a late cue out of order forces one rewrite with everything in order', () => {
    const { file, rewrites } = replay(new CueTrack(), [cues[0], cues[2], cues[1], cues[3]]);
    assert.equal(rewrites, 1);
    assert.deepEqual(file, normaliseCues(cues));
  });
});

describe('CaptionFileWriter', () => {
  for (const format of ['srt', 'vtt'] as const) {
    test(`${format}: appends keep the same file (no rewrite) and the result equals the full format`, async () => {
      const path = join(mkdtempSync(join(tmpdir(), 'olt-captions-')), `out.${format}`);
      const writer = new CaptionFileWriter(path, format);
      await writer.open();
      const inode = statSync(path).ino;
      const all = normaliseCues(cues);
      writer.append(all.slice(0, 1));
      writer.append(all.slice(1));
      await writer.idle();
      assert.equal(statSync(path).ino, inode, 'appended in place');
      const full = format === 'srt' ? formatSrt(all) : formatWebVtt(all);
      assert.equal(readFileSync(path, 'utf8'), full);
      writer.rewrite(all.slice(0, 2));
      await writer.close();
      assert.notEqual(statSync(path).ino, inode, 'a rewrite replaces the file by rename');
      assert.equal(
        readFileSync(path, 'utf8'),
        format === 'srt' ? formatSrt(all.slice(0, 2)) : formatWebVtt(all.slice(0, 2)),
      );
    });
  }

  test('a path that cannot be created fails with the output error (exit 6)', async () => {
    const writer = new CaptionFileWriter(join(tmpdir(), 'no-such-dir-olt', 'x', 'out.srt'), 'srt');
    await writer.open();
    await assert.rejects(writer.close(), (err: Error & { exitCode?: number }) => err.exitCode === 6);
  });
});
