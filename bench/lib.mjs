// Shared helpers for the bench scripts (they run on the compiled workspaces: `npm run build` first).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import os from 'node:os';

export const require = createRequire(import.meta.url);
export const devkit = require('@olt/devkit');

export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, idx)];
}

export function summary(values) {
  return { n: values.length, p50: percentile(values, 50), p99: percentile(values, 99) };
}

export function fmt(ms) {
  return Number.isFinite(ms) ? `${ms.toFixed(1)} ms` : 'n/a';
}

export function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}

export function machine() {
  return `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
}
