/** One subtitle cue: session-time milliseconds and text. */
export interface Cue {
  startMs: number;
  endMs: number;
  text: string;
}

function timestamp(ms: number, separator: ',' | '.'): string {
  const t = Math.max(0, Math.round(ms));
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(Math.floor(t / 3_600_000))}:${pad(Math.floor(t / 60_000) % 60)}:${pad(Math.floor(t / 1000) % 60)}${separator}${pad(t % 1000, 3)}`;
}

/** SubRip timestamp: HH:MM:SS,mmm. */
export const srtTime = (ms: number) => timestamp(ms, ',');
/** WebVTT timestamp: HH:MM:SS.mmm (hours always written, so files sort and diff cleanly). */
export const vttTime = (ms: number) => timestamp(ms, '.');

/** A blank line ends a cue in both formats: text lines are kept, empty ones dropped. */
const cueLines = (text: string) =>
  text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);

/** One SRT block (index, timing, text lines), ending with a newline; blocks are separated by a blank line. */
export const srtCue = (index: number, c: Cue) =>
  `${index}\n${srtTime(c.startMs)} --> ${srtTime(c.endMs)}\n${cueLines(c.text).join('\n')}\n`;

/** WebVTT: '&' and '<' are escaped (cue text is markup), '-->' cannot appear in a cue. */
const escapeVtt = (l: string) => l.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/-->/g, '->');

/** One WebVTT block, ending with a newline. */
export const vttCue = (index: number, c: Cue) =>
  `${index}\n${vttTime(c.startMs)} --> ${vttTime(c.endMs)}\n${cueLines(c.text).map(escapeVtt).join('\n')}\n`;

/** What a WebVTT file starts with (an SRT file starts with its first cue). */
export const VTT_HEADER = 'WEBVTT\n';

export function formatSrt(cues: readonly Cue[]): string {
  return cues.map((c, i) => srtCue(i + 1, c)).join('\n');
}

export function formatWebVtt(cues: readonly Cue[]): string {
  return [VTT_HEADER, ...cues.map((c, i) => vttCue(i + 1, c))].join('\n');
}

/** Shortest time a cue stays on screen when the next one leaves room (a 200 ms word is unreadable). */
export const MIN_CUE_MS = 1000;

/**
 * Orders cues and makes their timings valid for players: starts never go backwards, cues never overlap,
 * each lasts at least 1 ms, and short cues are stretched (up to MIN_CUE_MS) into the gap before the next.
 */
export function normaliseCues(cues: readonly Cue[]): Cue[] {
  const sorted = cues
    .filter((c) => c.text.trim())
    .map((c) => ({ ...c }))
    .sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs);
  for (let i = 0; i < sorted.length; i++) {
    const cue = sorted[i];
    const prev = sorted[i - 1];
    if (prev && cue.startMs < prev.endMs) cue.startMs = prev.endMs;
    const nextStart = sorted[i + 1]?.startMs ?? Number.POSITIVE_INFINITY;
    if (cue.endMs - cue.startMs < MIN_CUE_MS)
      cue.endMs = Math.min(cue.startMs + MIN_CUE_MS, Math.max(nextStart, cue.endMs));
    if (cue.endMs <= cue.startMs) cue.endMs = cue.startMs + 1;
  }
  return sorted;
}
