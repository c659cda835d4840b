/** How long a subtitle must stay up for viewers to read it. */
export interface ReadingPace {
  /** Characters per second a viewer reads (subtitle guidelines use 15–20 for adults). */
  charsPerSecond: number;
  /** Floor: even "OK" needs a moment to be seen. */
  minDisplayMs: number;
  /** Ceiling: a long caption is not held longer than this (live captions must keep up). */
  maxDisplayMs: number;
}

/** Display time of `text` at the reader's pace, within the floor and the ceiling. */
export function readingTimeMs(text: string, pace: ReadingPace): number {
  const chars = [...text.replace(/\s+/g, ' ').trim()].length;
  const ms = (chars / Math.max(1, pace.charsPerSecond)) * 1000;
  return Math.round(Math.min(pace.maxDisplayMs, Math.max(pace.minDisplayMs, ms)));
}
