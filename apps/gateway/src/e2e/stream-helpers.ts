import assert from 'node:assert/strict';
import type { StreamResponse__Output } from '@olt/shared';

/** A compact, order-preserving view of a response sequence, for exact assertions in end-to-end tests. */
export function describeResponses(responses: StreamResponse__Output[]): string[] {
  return responses.map((r) => {
    if (r.started) return 'started';
    if (r.event) return `event ${r.event.type} ${r.event.segmentId}`;
    if (r.transcript)
      return `transcript ${r.transcript.segmentId} r${r.transcript.revision} ${r.transcript.isFinal ? 'final' : 'interim'}`;
    if (r.translation)
      return `translation ${r.translation.segmentId} ${r.translation.targetLanguage} r${r.translation.revision}`;
    return 'unknown';
  });
}

/**
 * Checks the stream contract of docs/protocol.md and returns a list of violations (empty = OK):
 * SessionStarted first; per segment SPEECH_START → SPEECH_END → final transcript → one final translation
 * per target (after the transcript, with its revision); finals don't overlap and move forward.
 * Interim transcripts: after their SPEECH_START and before their final, revisions strictly increasing
 * (the final's above all), each interim's text a word-prefix of the next one's (no flicker backwards),
 * stability within 0..1.
 */
export function contractViolations(responses: StreamResponse__Output[], targets: string[]): string[] {
  const problems: string[] = [];
  if (!responses[0]?.started) problems.push('first response is not SessionStarted');
  const seg = new Map<
    string,
    {
      start?: number;
      end?: number;
      final?: number;
      revision?: number;
      lastRevision?: number;
      lastInterimText?: string;
      translations: Map<string, number>;
      empty?: boolean;
    }
  >();
  const get = (id: string) => {
    let s = seg.get(id);
    if (!s) seg.set(id, (s = { translations: new Map() }));
    return s;
  };
  let lastFinalEnd = -1;
  responses.forEach((r, i) => {
    if (i > 0 && r.started) problems.push(`SessionStarted repeated at ${i}`);
    if (r.event?.type === 'SPEECH_START') {
      const s = get(r.event.segmentId);
      if (s.start !== undefined) problems.push(`${r.event.segmentId}: second SPEECH_START`);
      s.start = i;
    } else if (r.event?.type === 'SPEECH_END') {
      const s = get(r.event.segmentId);
      if (s.start === undefined) problems.push(`${r.event.segmentId}: SPEECH_END before SPEECH_START`);
      s.end = i;
    } else if (r.transcript) {
      const t = r.transcript;
      const s = get(t.segmentId);
      if (s.start === undefined) problems.push(`${t.segmentId}: transcript before SPEECH_START`);
      if (s.final !== undefined) problems.push(`${t.segmentId}: transcript after the final`);
      if (s.lastRevision !== undefined && t.revision <= s.lastRevision)
        problems.push(`${t.segmentId}: revision ${t.revision} after revision ${s.lastRevision}`);
      s.lastRevision = t.revision;
      if (!t.isFinal) {
        if (!(t.stability >= 0 && t.stability <= 1))
          problems.push(`${t.segmentId}: interim stability ${t.stability} outside 0..1`);
        if (s.lastInterimText !== undefined && !isWordPrefix(s.lastInterimText, t.text))
          problems.push(`${t.segmentId}: interim "${t.text}" does not extend "${s.lastInterimText}"`);
        s.lastInterimText = t.text;
      }
      if (t.isFinal) {
        s.final = i;
        s.revision = t.revision;
        s.empty = t.text === '';
        if (Number(t.startMs) < lastFinalEnd)
          problems.push(`${t.segmentId}: final overlaps the previous one`);
        if (Number(t.endMs) <= Number(t.startMs)) problems.push(`${t.segmentId}: end_ms <= start_ms`);
        lastFinalEnd = Number(t.endMs);
      }
    } else if (r.translation) {
      const t = r.translation;
      const s = get(t.segmentId);
      if (s.final === undefined)
        problems.push(`${t.segmentId}/${t.targetLanguage}: translation before the final transcript`);
      if (t.revision !== s.revision)
        problems.push(`${t.segmentId}/${t.targetLanguage}: revision ${t.revision} != final's ${s.revision}`);
      if (s.translations.has(t.targetLanguage))
        problems.push(`${t.segmentId}/${t.targetLanguage}: duplicate translation`);
      s.translations.set(t.targetLanguage, i);
    }
  });
  for (const [id, s] of seg) {
    if (s.end === undefined) problems.push(`${id}: no SPEECH_END`);
    if (s.final === undefined) problems.push(`${id}: no final transcript`);
    if (s.final !== undefined && !s.empty) {
      for (const t of targets) if (!s.translations.has(t)) problems.push(`${id}: no translation to ${t}`);
    }
  }
  return problems;
}

/** `prefix`'s words are the first words of `text` (interim texts only ever grow). */
export function isWordPrefix(prefix: string, text: string): boolean {
  const p = prefix.split(/\s+/).filter(Boolean);
  const t = text.split(/\s+/).filter(Boolean);
  return p.length <= t.length && p.every((w, i) => w === t[i]);
}

/** Reads an SSE feed until `done` says so (or the deadline); returns the parsed data events. */
export async function readSse(
  url: string,
  apiKey: string,
  done: (events: Array<Record<string, unknown>>) => boolean,
) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 60_000);
  const events: Array<Record<string, unknown>> = [];
  try {
    const res = await fetch(url, { headers: { authorization: `Bearer ${apiKey}` }, signal: abort.signal });
    assert.equal(res.status, 200);
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block.split('\n').find((l) => l.startsWith('data: '));
        if (data && !block.startsWith('event: hello')) events.push(JSON.parse(data.slice(6)));
      }
      if (done(events)) break;
    }
  } catch (err) {
    if (!abort.signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  return events;
}
