// Reads a trace (JSON lines, optionally gzipped) and expands it into lookups: one per event and target,
// keyed exactly as the gateway keys shared entries (src, dst, model, normalised text).
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { require } from '../lib.mjs';

const { translationCacheKey } = require('@olt/shared');
export const MODEL = 'nllb-200-distilled-600M';

export function readTrace(path) {
  const raw = readFileSync(path);
  const text = (path.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
  const events = [];
  let last = -Infinity;
  for (const [i, line] of text.split('\n').entries()) {
    if (!line.trim()) continue;
    const e = JSON.parse(line);
    for (const field of ['t_ms', 'tenant', 'stream', 'src', 'text', 'targets'])
      if (e[field] === undefined) throw new Error(`${path}:${i + 1}: missing "${field}"`);
    if (e.t_ms < last) throw new Error(`${path}:${i + 1}: not sorted by t_ms`);
    last = e.t_ms;
    events.push(e);
  }
  return events;
}

/** Lookups in order: { i (event index), t, key, dst, bytes (key + a translation of the text's length) }. */
export function lookupsOf(events) {
  const out = [];
  events.forEach((e, i) => {
    for (const dst of e.targets) {
      if (dst === e.src) continue; // never translated, never cached
      const key = translationCacheKey(e.src, dst, MODEL, e.text);
      out.push({ i, t: e.t_ms, key, dst });
    }
  });
  return out;
}

/** A stand-in translation of realistic size (translations run ~1.1x the source length). */
export function valueFor(text, dst) {
  return `${dst}|${text}${text.slice(0, Math.ceil(text.length / 10))}`;
}

/** Lookups grouped by event index. */
export function groupByEvent(events, lookups) {
  const groups = events.map(() => []);
  for (const l of lookups) groups[l.i].push(l);
  return groups;
}
