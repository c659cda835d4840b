#!/usr/bin/env node
// Writes a synthetic but realistic live-subtitle trace: one JSON line per final segment, sorted by t_ms.
//   node bench/cache-replay/generate-trace.mjs [--channels 400] [--minutes 20] [--seed 1] [--out trace.jsonl.gz]
// What it models (each a reason a cache can or cannot help):
// - hundreds of concurrent streams (channels online with overlapping sessions, some reconnect = new session);
// - Zipf-like popularity: common streamer phrases, a long tail of mid-popular ones, topic vocabularies;
// - per-streamer catchphrases and routines (the same short sequences, in order, again and again);
// - viewer-driven bursts (raids, sub trains: "Thanks for the sub, <name>!", mostly one-off names) and global
//   moments where every stream on one topic reacts alike;
// - topic drift (a stream switches game; topics rise and fall globally);
// - target sets that change during a stream (viewers ask for a language, a language is dropped);
// - mostly one-off sentences: first sightings no cache can answer.
import { createWriteStream } from 'node:fs';
import { createGzip } from 'node:zlib';
import { parseArgs } from 'node:util';
import { rng, zipf, pick, weighted, exponential } from './random.mjs';
import {
  COMMON,
  THANK_FRAMES,
  TOPIC_COUNT,
  catchphrases,
  mediumPhrases,
  novelSentence,
  topicPhrases,
  userName,
} from './phrases.mjs';

const { values: args } = parseArgs({
  options: {
    channels: { type: 'string', default: '400' },
    minutes: { type: 'string', default: '20' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string', default: 'bench/cache-replay/traces/streams-20m.jsonl.gz' },
  },
});
const random = rng(Number(args.seed));
const T = Number(args.minutes) * 60_000;
const MEAN_SESSION = 40 * 60_000;

const SOURCES = [
  ['en', 70],
  ['es', 10],
  ['pt', 6],
  ['de', 4],
  ['fr', 4],
  ['ja', 3],
  ['ko', 3],
];
const TARGETS = [
  ['es', 20],
  ['pt', 14],
  ['fr', 10],
  ['de', 10],
  ['en', 12],
  ['ja', 6],
  ['ko', 5],
  ['ru', 6],
  ['it', 5],
  ['tr', 4],
  ['pl', 3],
  ['zh', 3],
  ['ar', 2],
];

const common = zipf(random, COMMON.length, 1.1);
const MEDIUM = mediumPhrases(random, 3000);
const medium = zipf(random, MEDIUM.length, 1.0);
const TOPICS = Array.from({ length: TOPIC_COUNT }, (_, i) => topicPhrases(i));
const topicRank = TOPICS.map((p) => zipf(random, p.length, 0.9));
const tenantRank = zipf(random, 8, 1.2);
// Global topic popularity drifts: each topic's weight follows a slow random walk.
const topicWeights = Array.from({ length: TOPIC_COUNT }, () => 0.5 + random());
// Global moments: everyone streaming a topic reacts to the same thing for two minutes.
const moments = Array.from({ length: 3 }, () => ({
  at: random() * T,
  topic: Math.floor(random() * TOPIC_COUNT),
  phrases: [],
}));
for (const m of moments)
  m.phrases = [...TOPICS[m.topic].slice(0, 4), 'No way!', 'Did you see that?', 'Clip that!'];

function targetSet(src) {
  const n = weighted(random, [
    [1, 35],
    [2, 35],
    [3, 20],
    [4, 10],
  ]);
  const set = new Set();
  while (set.size < n) {
    const t = weighted(random, TARGETS);
    if (t !== src) set.add(t);
  }
  return [...set];
}

function channel(i) {
  const own = catchphrases(random, 8 + Math.floor(random() * 18));
  const ownRank = zipf(random, own.length, 1.0);
  const habit = () =>
    weighted(random, [
      [() => own[ownRank()], 5],
      [() => COMMON[common()], 4],
      [() => MEDIUM[medium()], 1],
    ])();
  // Routines: short sequences this streamer repeats in order (intro, sub thanks, death reaction, outro).
  const routines = Array.from({ length: 3 + Math.floor(random() * 4) }, () =>
    Array.from({ length: 2 + Math.floor(random() * 4) }, habit),
  );
  return {
    id: `ch-${i}`,
    tenant: `t${tenantRank() + 1}`,
    src: weighted(random, SOURCES),
    own,
    ownRank,
    routines,
    topic: weighted(
      random,
      topicWeights.map((w, t) => [t, w]),
    ),
  };
}

function* session(ch, id, start, end) {
  let targets = targetSet(ch.src);
  let t = Math.max(0, start) + random() * 3000;
  let routine = start >= 0 ? [...ch.routines[0]] : []; // a session that starts in the trace opens with its intro
  let burstUntil = -1;
  while (t < Math.min(end, T)) {
    const moment = moments.find((m) => t >= m.at && t < m.at + 120_000 && m.topic === ch.topic);
    if (burstUntil < t && random() < 0.0015) burstUntil = t + 20_000 + random() * 40_000;
    const burst = t < burstUntil;
    let text;
    if (routine.length > 0) {
      text = random() < 0.85 ? routine.shift() : novelSentence(random);
      if (random() < 0.05) routine = []; // interrupted by chat
    } else if (burst && random() < 0.6) {
      text =
        random() < 0.7
          ? pick(random, THANK_FRAMES).replace('{u}', userName(random))
          : pick(random, [
              'Thank you for the sub!',
              'Welcome raiders!',
              'Hype!',
              "Let's go!",
              'Thanks for the raid!',
            ]);
    } else if (moment && random() < 0.5) {
      text = pick(random, moment.phrases);
    } else {
      text = weighted(random, [
        [() => novelSentence(random), 40],
        [() => COMMON[common()], 14],
        [() => MEDIUM[medium()], 10],
        [() => TOPICS[ch.topic][topicRank[ch.topic]()], 12],
        [() => ch.own[ch.ownRank()], 10],
        [() => pick(random, THANK_FRAMES).replace('{u}', userName(random)), 6],
        [
          () => {
            routine = [...pick(random, ch.routines)];
            return routine.shift();
          },
          8,
        ],
      ])();
    }
    yield { t_ms: Math.round(t), tenant: ch.tenant, stream: id, src: ch.src, text, targets: [...targets] };
    // Drift: switch game now and then; viewers add or drop a language.
    if (random() < 0.002)
      ch.topic = weighted(
        random,
        topicWeights.map((w, k) => [k, w]),
      );
    if (random() < 0.004) {
      if (targets.length > 1 && random() < 0.4)
        targets = targets.filter((_, k) => k !== Math.floor(random() * targets.length));
      else {
        const add = weighted(random, TARGETS);
        if (add !== ch.src && !targets.includes(add)) targets = [...targets, add];
      }
    }
    t += Math.max(800, exponential(random, burst ? 2000 : 5000));
  }
}

const events = [];
for (let i = 0; i < Number(args.channels); i++) {
  const ch = channel(i);
  const start = -MEAN_SESSION + random() * (T + MEAN_SESSION);
  const end = start + Math.min(120, Math.max(5, exponential(random, 40))) * 60_000;
  if (end <= 0 || start >= T) continue;
  // A reconnect splits the session: the next one has a new id on the same channel.
  const cut = random() < 0.15 ? start + random() * (end - start) : end;
  for (const e of session(ch, `${ch.id}/1`, start, cut)) events.push(e);
  if (cut < end)
    for (const e of session(ch, `${ch.id}/2`, cut + 10_000 + random() * 50_000, end)) events.push(e);
  for (let k = 0; k < topicWeights.length; k++)
    topicWeights[k] = Math.max(0.05, topicWeights[k] + (random() - 0.5) * 0.1);
}
events.sort((a, b) => a.t_ms - b.t_ms);

const file = createWriteStream(args.out);
const out = args.out.endsWith('.gz') ? createGzip({ level: 9 }) : null;
if (out) out.pipe(file);
const sink = out ?? file;
for (const e of events) sink.write(`${JSON.stringify(e)}\n`);
sink.end();
const streams = new Set(events.map((e) => e.stream)).size;
const lookups = events.reduce((s, e) => s + e.targets.length, 0);
console.log(
  `${events.length} segments, ${lookups} lookups, ${streams} streams over ${args.minutes} min -> ${args.out}`,
);
