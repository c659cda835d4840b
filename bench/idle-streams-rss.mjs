// Gateway memory with N connected, configured, idle streams. Usage: node bench/idle-streams-rss.mjs [N]
import { devkit, require, rssMb, machine } from './lib.mjs';

const grpc = require('@grpc/grpc-js');
const N = Number(process.argv[2] ?? 200);
const stack = await devkit.startLocalStack({ apiKeys: { bench: 'bench-key' } });
const client = devkit.createLiveTranslateClient(stack.grpcAddress);
await new Promise((r) => setTimeout(r, 1000));
const before = rssMb(stack.gateway.pid);

const calls = [];
await Promise.all(
  Array.from(
    { length: N },
    () =>
      new Promise((resolve, reject) => {
        const call = client.streamTranslate(devkit.bearer('bench-key'));
        call.on('data', (r) => r.started && resolve());
        call.on('error', (e) => (e.code === grpc.status.CANCELLED ? undefined : reject(e)));
        call.write({
          config: {
            audio: { encoding: 'LINEAR16', sampleRateHz: 48000, channels: 2 },
            targetLanguages: ['es', 'fr'],
          },
        });
        calls.push(call);
      }),
  ),
);
await new Promise((r) => setTimeout(r, 2000));
const after = rssMb(stack.gateway.pid);
console.log(`gateway RSS — ${machine()}`);
console.log(
  `idle: ${before.toFixed(1)} MB; with ${N} configured idle streams: ${after.toFixed(1)} MB (+${(((after - before) * 1024) / N).toFixed(0)} KB/stream)`,
);
for (const c of calls) c.cancel();
client.close();
await stack.stop();
