// Pipeline overhead with the generated test models: from the SPEECH_END event (the segment's last audio
// has been cut) to its final transcript and to its first translation, at 1 and 20 concurrent real-time
// streams. Usage: node bench/pipeline-latency.mjs [rounds]
import { devkit, summary, fmt, machine } from './lib.mjs';

const ROUNDS = Number(process.argv[2] ?? 3);
const stack = await devkit.startLocalStack({ apiKeys: { bench: 'bench-key' } });
const client = devkit.createLiveTranslateClient(stack.grpcAddress);
const wav = devkit.readWav(devkit.speechFixture('two-sentences.wav').path);

async function oneStream(startDelayMs = 0) {
  await new Promise((r) => setTimeout(r, startDelayMs));
  const speechEnd = new Map();
  const transcript = [];
  const translation = [];
  const seenTranslation = new Set();
  const out = await devkit.streamAudio(client, {
    apiKey: 'bench-key',
    config: {
      audio: { encoding: 'LINEAR16', sampleRateHz: wav.sampleRate, channels: 1 },
      sourceLanguage: 'en',
      targetLanguages: ['es', 'fr'],
    },
    pcm: wav.data,
    realtimeFactor: 1,
    onResponse: (r) => {
      const now = performance.now();
      if (r.event?.type === 'SPEECH_END') speechEnd.set(r.event.segmentId, now);
      if (r.transcript?.isFinal) transcript.push(now - speechEnd.get(r.transcript.segmentId));
      if (r.translation && !seenTranslation.has(r.translation.segmentId)) {
        seenTranslation.add(r.translation.segmentId);
        translation.push(now - speechEnd.get(r.translation.segmentId));
      }
    },
  });
  if (out.error) throw new Error(`stream failed: ${out.error.details}`);
  return { transcript, translation };
}

console.log(`pipeline overhead (test models, 1 ASR + 1 translate worker) — ${machine()}`);
for (const streams of [1, 20]) {
  const t = [];
  const tr = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Real streams are not in lockstep: start them spread over ~3 s.
    const results = await Promise.all(
      Array.from({ length: streams }, (_, i) => oneStream((i * 3000) / streams)),
    );
    for (const r of results) {
      t.push(...r.transcript);
      tr.push(...r.translation);
    }
  }
  const a = summary(t);
  const b = summary(tr);
  console.log(
    `${String(streams).padStart(2)} streams: final transcript p50 ${fmt(a.p50)} p99 ${fmt(a.p99)} (n=${a.n}); ` +
      `first translation p50 ${fmt(b.p50)} p99 ${fmt(b.p99)} (n=${b.n})`,
  );
}
client.close();
await stack.stop();
