import { basename, dirname, extname, join } from 'node:path';
import type { StreamResponse__Output } from '@olt/shared';
import { sameLanguage } from '@olt/shared/dist/obs';
import { CaptionFileWriter, type CaptionFormat } from './caption-file-writer';
import { CueTrack, type TrackUpdate } from './cue-track';
import type { Cue } from './subtitle-formats';

/** `out.srt` + `es` → `out.es.srt`; the transcript keeps the name given. */
export function perLanguagePath(path: string, language: string | undefined): string {
  if (!language) return path;
  const ext = extname(path);
  return join(dirname(path), `${basename(path, ext)}.${language}${ext}`);
}

interface LanguageFiles {
  track: CueTrack;
  writers: CaptionFileWriter[];
}

/**
 * Final transcripts and translations as SRT/WebVTT files per language, usable while a long stream runs:
 * each final is appended as it settles (CueTrack, CaptionFileWriter), never by rewriting the file on the
 * event loop. Translations take the timings of their segment's final transcript (they follow it on the
 * stream). Open with `CaptionFiles.open`, which fails (exit 6) before any audio is sent when a file cannot
 * be created; `add` throws the first write failure; `close` writes the last cue and syncs.
 */
export class CaptionFiles {
  private readonly languages = new Map<string, LanguageFiles>();
  private readonly timings = new Map<string, { startMs: number; endMs: number }>();

  private constructor(
    private readonly outputs: { path: string; format: CaptionFormat }[],
    private readonly targets: readonly string[],
  ) {}

  static async open(
    srtPath: string | undefined,
    vttPath: string | undefined,
    targets: readonly string[],
  ): Promise<CaptionFiles> {
    const outputs = [
      ...(srtPath ? [{ path: srtPath, format: 'srt' as const }] : []),
      ...(vttPath ? [{ path: vttPath, format: 'vtt' as const }] : []),
    ];
    const files = new CaptionFiles(outputs, targets);
    if (outputs.length) for (const lang of ['', ...targets]) files.language(lang);
    await files.settled();
    return files;
  }

  get enabled(): boolean {
    return this.outputs.length > 0;
  }

  /** Paths of the files (every language that had a file). */
  get written(): string[] {
    return [...this.languages.values()].flatMap((l) => l.writers.map((w) => w.path));
  }

  /** `call` distinguishes segment ids of different calls of one session (after a resume). */
  add(response: StreamResponse__Output, call: number): void {
    if (!this.enabled) return;
    this.throwIfFailed();
    const t = response.transcript;
    if (t?.isFinal) {
      const timing = { startMs: Number(t.startMs), endMs: Number(t.endMs) };
      this.timings.set(`${call}:${t.segmentId}`, timing);
      this.push('', { ...timing, text: t.text });
      return;
    }
    const tr = response.translation;
    if (tr?.isFinal) {
      const timing = this.timings.get(`${call}:${tr.segmentId}`);
      const lang = this.targets.find((l) => sameLanguage(l, tr.targetLanguage)) ?? tr.targetLanguage;
      if (timing) this.push(lang, { ...timing, text: tr.text });
    }
  }

  /** Writes the cues still waiting, syncs and closes every file; rejects with the first failure. */
  async close(): Promise<void> {
    for (const files of this.languages.values()) this.apply(files, files.track.finish());
    const results = await Promise.allSettled(
      [...this.languages.values()].flatMap((l) => l.writers.map((w) => w.close())),
    );
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private push(lang: string, cue: Cue): void {
    const files = this.language(lang);
    this.apply(files, files.track.add(cue));
  }

  private apply(files: LanguageFiles, update: TrackUpdate | undefined): void {
    if (!update) return;
    for (const w of files.writers) {
      if (update.kind === 'append') w.append(update.cues);
      else w.rewrite(update.cues);
    }
  }

  private language(lang: string): LanguageFiles {
    let files = this.languages.get(lang);
    if (!files) {
      const writers = this.outputs.map(
        (o) => new CaptionFileWriter(perLanguagePath(o.path, lang || undefined), o.format),
      );
      for (const w of writers) void w.open();
      files = { track: new CueTrack(), writers };
      this.languages.set(lang, files);
    }
    return files;
  }

  /** Waits for the writes queued so far; throws the first failure. */
  private async settled(): Promise<void> {
    await Promise.all([...this.languages.values()].flatMap((l) => l.writers.map((w) => w.idle())));
    this.throwIfFailed();
  }

  private throwIfFailed(): void {
    for (const l of this.languages.values()) for (const w of l.writers) if (w.failure) throw w.failure;
  }
}
