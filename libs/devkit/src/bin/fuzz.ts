#!/usr/bin/env node
/**
 * Hostile-input fuzzer for the whole local stack (issue 10): generated HTTP/WS requests and gRPC call
 * sequences, a liveness check after every batch, a summary and a repro for every failure.
 *
 *   node libs/devkit/dist/bin/fuzz.js [--seed N] [--http N] [--grpc N] [--ws N] [--batch N] [--concurrency N]
 *   node libs/devkit/dist/bin/fuzz.js --seed N --replay http:123[,grpc:7,ws:3,http:0-49]
 *
 * --http: every route × method with hostile URLs, headers and bodies (a fifth are upgrades), raw bytes;
 * --ws: WebSocket upgrade requests only; --grpc: StreamTranslate sequences, TranslateText, ListLanguages.
 * Exit status 1 when anything was found.
 */
import { formatFuzzReport, runFuzzCampaign, type FuzzTarget } from '../fuzz';

function parseArgs(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]!);
    if (!m) throw new Error(`unexpected argument ${argv[i]} (see the header of libs/devkit/src/bin/fuzz.ts)`);
    out[m[1]!] = m[2] ?? argv[++i] ?? '';
  }
  return out;
}

function parseReplay(spec: string): Array<{ target: FuzzTarget; index: number }> {
  return spec.split(',').flatMap((part) => {
    const m = /^(http|ws|grpc):(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) throw new Error(`--replay wants http:I, grpc:I or http:A-B, got "${part}"`);
    const from = Number(m[2]);
    const to = Number(m[3] ?? m[2]);
    return Array.from({ length: to - from + 1 }, (_, i) => ({ target: m[1] as FuzzTarget, index: from + i }));
  });
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const num = (name: string, dflt: number) => (args[name] === undefined ? dflt : Number(args[name]));
  const seed = num('seed', Math.floor(Math.random() * 2 ** 31));
  const only = args.replay ? parseReplay(args.replay) : undefined;
  console.log(`fuzz: seed ${seed}${only ? `, replaying ${args.replay}` : ''}`);
  const report = await runFuzzCampaign({
    seed,
    http: num('http', 1000),
    ws: num('ws', 200),
    grpc: num('grpc', 300),
    batchSize: num('batch', 50),
    concurrency: num('concurrency', 4),
    only,
    log: (line) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`),
  });
  console.log(`\n${formatFuzzReport(report)}`);
  process.exitCode = report.findings.length || report.crashes.length ? 1 : 0;
}

main().catch((err: unknown) => {
  console.error(`fuzz failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(2);
});
