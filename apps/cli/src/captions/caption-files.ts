import { renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import type { StreamResponse__Output } from '@olt/shared';
import { sameLanguage } from '@olt/shared/dist/obs';
import { outputError } from '../exit-codes';
import { formatSrt, formatWebVtt, normaliseCues, type Cue } from './subtitle-formats';

/** `out.srt` + `es` → `out.es.srt`; the transcript keeps the name given. */
export function perLanguagePath(path: string, language: string | undefined): string {
  if (!language) return path;
  const ext = extname(path);
  return join(dirname(path), `${basename(path, ext)}.${language}${ext}`);
}

/**
 * Collects final transcripts and translations as cues and (re)writes the SRT/WebVTT files after every
 * final, so they are usable while a long stream runs and survive a crash. Translations take the timings
 * of their segment's final transcript (they follow it on the stream).
 */
export class CaptionFiles {
  private readonly cues = new Map<string, Cue[]>();
  private readonly timings = new Map<string, { startMs: number; endMs: number }>();
  readonly written = new Set<string>();

  constructor(
    private readonly srtPath: string | undefined,
    private readonly vttPath: string | undefined,
    private readonly targets: readonly string[],
  ) {
    for (const lang of ['', ...targets]) this.cues.set(lang, []);
  }

  get enabled(): boolean {
    return Boolean(this.srtPath || this.vttPath);
  }

  /** `call` distinguishes segment ids of different calls of one session (after a resume). */
  add(response: StreamResponse__Output, call: number): void {
    const t = response.transcript;
    if (t?.isFinal) {
      const timing = { startMs: Number(t.startMs), endMs: Number(t.endMs) };
      this.timings.set(`${call}:${t.segmentId}`, timing);
      if (t.text.trim()) this.push('', { ...timing, text: t.text });
      return;
    }
    const tr = response.translation;
    if (tr?.isFinal) {
      const timing = this.timings.get(`${call}:${tr.segmentId}`);
      const lang = this.targets.find((l) => sameLanguage(l, tr.targetLanguage)) ?? tr.targetLanguage;
      if (timing && tr.text.trim()) this.push(lang, { ...timing, text: tr.text });
    }
  }

  /** Writes every file (also the empty ones, so a script always finds them). */
  flush(): void {
    for (const [lang, cues] of this.cues) {
      const sorted = normaliseCues(cues);
      if (this.srtPath) this.write(perLanguagePath(this.srtPath, lang || undefined), formatSrt(sorted));
      if (this.vttPath) this.write(perLanguagePath(this.vttPath, lang || undefined), formatWebVtt(sorted));
    }
  }

  private push(lang: string, cue: Cue): void {
    if (!this.cues.has(lang)) this.cues.set(lang, []);
    this.cues.get(lang)!.push(cue);
    if (this.enabled) this.flush();
  }

  private write(path: string, text: string): void {
    try {
      // Write then rename: a player or script reading the file never sees half of it.
      const tmp = `${path}.tmp-${process.pid}`;
      writeFileSync(tmp, text);
      renameSync(tmp, path);
      this.written.add(path);
    } catch (err) {
      throw outputError(`cannot write ${path}: ${(err as Error).message}`);
    }
  }
}
