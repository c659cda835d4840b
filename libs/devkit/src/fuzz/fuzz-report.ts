import type { FuzzFinding, FuzzReport } from './fuzz-campaign';

const FUZZ_BIN = 'node libs/devkit/dist/bin/fuzz.js';

export function replayCommand(seed: number, f: Pick<FuzzFinding, 'target' | 'index'>): string {
  return `${FUZZ_BIN} --seed ${seed} --replay ${f.target}:${f.index}`;
}

/** Findings with the same input label and reason (numbers in the reason blurred) are one bug to fix. */
export function groupFindings(
  findings: FuzzFinding[],
): Array<{ key: string; count: number; first: FuzzFinding }> {
  const groups = new Map<string, { key: string; count: number; first: FuzzFinding }>();
  for (const f of findings) {
    const key = `${f.target} ${f.label} → ${f.reason.replace(/\d+(\.\d+)?(?! ?xx)/g, 'N').slice(0, 160)}`;
    const g = groups.get(key) ?? { key, count: 0, first: f };
    g.count++;
    groups.set(key, g);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count);
}

export function formatFuzzReport(r: FuzzReport): string {
  const lines: string[] = [];
  const rate = (n: number, ms: number) => (ms > 0 ? `${((n * 1000) / ms).toFixed(1)}/s` : 'n/a');
  lines.push(`fuzz seed ${r.seed} (replay the whole run with --seed ${r.seed})`);
  for (const t of ['http', 'ws', 'grpc'] as const) {
    if (r.sent[t] === 0) continue;
    const classes = Object.entries(r.answers[t])
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
    lines.push(
      `  ${{ http: 'HTTP', ws: 'WebSocket upgrades', grpc: 'gRPC' }[t]}: ${r.sent[t]} inputs in ${(r.ms[t] / 1000).toFixed(1)} s (${rate(r.sent[t], r.ms[t])}); answers: ${classes}`,
    );
  }
  const fiveXx = r.findings.filter((f) => /^HTTP 5/.test(f.reason)).length;
  const internal = r.findings.filter((f) => /^(INTERNAL|UNKNOWN)/.test(f.reason)).length;
  lines.push(
    `  crashes: ${r.crashes.length}; 5xx: ${fiveXx}; INTERNAL/UNKNOWN: ${internal}; other findings: ${r.findings.length - fiveXx - internal}; allowed: ${r.allowed.length}`,
  );
  if (r.leakedStreams !== undefined)
    lines.push(`  streams still counted active after the gRPC phase: ${r.leakedStreams}`);
  lines.push(`  server logs: ${r.logDirs.join(', ')}`);
  for (const c of r.crashes) {
    lines.push('', `CRASH after ${c.target} inputs ${c.batch[0]}..${c.batch.at(-1)}:`);
    for (const p of c.problems)
      lines.push(
        `  ${p
          .split('\n')
          .map((l) => l.slice(0, 240))
          .join('\n    ')}`,
      );
    lines.push(`  suspects (no answer), replay one at a time:`);
    for (const s of c.suspects.slice(0, 10))
      lines.push(`    ${replayCommand(r.seed, s)}   # ${s.label}`, `      ${s.repro}`);
    if (c.suspects.length === 0)
      lines.push(
        `    (every input was answered; replay the batch: --replay ${c.target}:${c.batch[0]}-${c.batch.at(-1)})`,
      );
  }
  const groups = groupFindings(r.findings);
  if (groups.length) lines.push('', `${groups.length} distinct findings (${r.findings.length} inputs):`);
  for (const g of groups) {
    lines.push(
      `  [${g.count}×] ${g.key}`,
      `    repro: ${replayCommand(r.seed, g.first)}`,
      `    input: ${g.first.repro}`,
    );
  }
  const allowed = groupFindings(r.allowed);
  if (allowed.length) lines.push('', 'allowed (not failures):');
  for (const g of allowed) lines.push(`  [${g.count}×] ${g.key}`);
  return lines.join('\n');
}

/** One line per distinct finding and crash: what a failing test prints. */
export function findingsList(r: FuzzReport): string[] {
  return [
    ...r.crashes.map(
      (c) =>
        `CRASH after ${c.target} ${c.batch[0]}..${c.batch.at(-1)}: ${c.problems[0]?.split('\n')[0]} — suspects: ${c.suspects
          .slice(0, 3)
          .map((s) => `${replayCommand(r.seed, s)} (${s.repro.slice(0, 200)})`)
          .join('; ')}`,
    ),
    ...groupFindings(r.findings).map(
      (g) => `[${g.count}×] ${g.key} — ${replayCommand(r.seed, g.first)} — ${g.first.repro.slice(0, 300)}`,
    ),
  ];
}
