import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ResumeBuffer } from './resume-buffer';

test('resume buffer replays exactly the audio after the last final, within its bound', () => {
  const b = new ResumeBuffer(1000);
  for (let i = 0; i < 5; i++) b.add(i * 100, Buffer.alloc(100, i));
  b.trimBefore(250);
  const replay = Buffer.concat(b.from(250));
  assert.equal(replay.length, 250);
  assert.equal(replay[0], 2, 'starts inside the chunk that holds position 250');
  assert.equal(b.resumePosition(250), 250);
  const small = new ResumeBuffer(200);
  for (let i = 0; i < 5; i++) small.add(i * 100, Buffer.alloc(100, i));
  assert.equal(
    small.resumePosition(0),
    300,
    'audio beyond the bound is given up; the resume starts at what is held',
  );
});
