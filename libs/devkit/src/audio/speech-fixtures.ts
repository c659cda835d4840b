import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One file of libs/devkit/fixtures/speech, as listed in its manifest.json. */
export interface SpeechFixture {
  file: string;
  path: string;
  sampleRate: number;
  channels: number;
  encoding: 'LINEAR16';
  samples: number;
  durationMs: number;
  /** Where each synthesised sentence lies in the file, and what was said. */
  utterances: { text: string; startSample: number; endSample: number; startMs: number; endMs: number }[];
}

/** Absolute path of the speech fixtures folder (works from src/ and from dist/). */
export const SPEECH_FIXTURES_DIR = join(__dirname, '..', '..', 'fixtures', 'speech');

export function speechFixtures(): SpeechFixture[] {
  const manifest = JSON.parse(readFileSync(join(SPEECH_FIXTURES_DIR, 'manifest.json'), 'utf8')) as {
    files: Omit<SpeechFixture, 'path'>[];
  };
  return manifest.files.map((f) => ({ ...f, path: join(SPEECH_FIXTURES_DIR, f.file) }));
}

export function speechFixture(file: 'two-sentences.wav' | 'hello.wav' | string): SpeechFixture {
  const found = speechFixtures().find((f) => f.file === file);
  if (!found) throw new Error(`no speech fixture named ${file} in ${SPEECH_FIXTURES_DIR}/manifest.json`);
  return found;
}
