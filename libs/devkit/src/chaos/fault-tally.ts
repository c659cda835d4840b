import type { StreamResponse__Output } from '@olt/shared';

/** What one stream (or one fault's streams) got, counted the way the fault figures in docs/benchmarks.md are. */
export interface FaultTally {
  /** Segments the gateway opened (SPEECH_START). */
  segments: number;
  /** Final transcripts received. */
  finals: number;
  /** Final translations received. */
  translations: number;
  /** Segments without a final transcript, plus final translations missing for a non-empty final. */
  lost: number;
  /** Final transcripts or translations beyond one per segment (and target). */
  duplicated: number;
}

export function tallyStream(responses: StreamResponse__Output[], targets: string[]): FaultTally {
  const started = new Set<string>();
  const finals = new Map<string, { count: number; empty: boolean }>();
  const translations = new Map<string, number>();
  let finalCount = 0;
  let translationCount = 0;
  for (const r of responses) {
    if (r.event?.type === 'SPEECH_START') started.add(r.event.segmentId);
    if (r.transcript?.isFinal) {
      finalCount++;
      const f = finals.get(r.transcript.segmentId) ?? { count: 0, empty: r.transcript.text.trim() === '' };
      f.count++;
      finals.set(r.transcript.segmentId, f);
    }
    if (r.translation?.isFinal) {
      translationCount++;
      const key = `${r.translation.segmentId}\u0000${r.translation.targetLanguage}`;
      translations.set(key, (translations.get(key) ?? 0) + 1);
    }
  }
  let lost = 0;
  let duplicated = 0;
  for (const id of new Set([...started, ...finals.keys()])) {
    const f = finals.get(id);
    if (!f) {
      lost++;
      continue;
    }
    duplicated += f.count - 1;
    if (f.empty) continue;
    for (const t of targets) {
      const n = translations.get(`${id}\u0000${t}`) ?? 0;
      if (n === 0) lost++;
      duplicated += Math.max(0, n - 1);
    }
  }
  return { segments: started.size, finals: finalCount, translations: translationCount, lost, duplicated };
}

/** Sums tallies (several streams under one fault). */
export function addTallies(tallies: FaultTally[]): FaultTally {
  const sum: FaultTally = { segments: 0, finals: 0, translations: 0, lost: 0, duplicated: 0 };
  for (const t of tallies) for (const k of Object.keys(sum) as Array<keyof FaultTally>) sum[k] += t[k];
  return sum;
}
