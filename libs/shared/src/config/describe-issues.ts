import type { z } from 'zod';
import { formatPath, type KeyPath, type LayeredConfig } from './config-sources';
import { schemaAt } from './schema-walk';

/**
 * Turns zod issues into one line each that names the key path, the bad value, what is allowed and where
 * the value came from, e.g.
 * `config: vad.threshold = 1.7 is invalid: must be <= 1 (file config/default.toml, env OLT__VAD__THRESHOLD)`.
 */
export function describeIssues(issues: readonly z.core.$ZodIssue[], layers: LayeredConfig): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    const at: KeyPath = issue.path.map((part) => (typeof part === 'number' ? part : String(part)));
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const path = [...at, key];
        lines.push(
          `config: ${formatPath(path)} is not a known key${suggestion(at, key)} ${where(layers, path)}`,
        );
      }
      continue;
    }
    const value = layers.get(at);
    const subject =
      value === undefined
        ? `${formatPath(at) || '(root)'} is missing`
        : `${formatPath(at)}${showValue(at, value)} is invalid`;
    lines.push(`config: ${subject}: ${reason(issue, value)} ${where(layers, at)}`);
  }
  return lines;
}

function where(layers: LayeredConfig, path: KeyPath): string {
  const sources = layers.sourcesOf(path);
  return `(${sources.length ? sources.join(', ') : 'default'})`;
}

const SECRET_KEY = /(api_key|password|secret|token)/i;

/** Values are echoed so the operator sees what was read, except secrets and whole tables. */
function showValue(path: KeyPath, value: unknown): string {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return '';
  const last = String(path[path.length - 1] ?? '');
  if (SECRET_KEY.test(last)) return ' = "***"';
  if (typeof value === 'string') return ` = ${JSON.stringify(maskUrlPassword(value))}`;
  return ` = ${JSON.stringify(value) ?? String(value)}`;
}

export function maskUrlPassword(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@/]*@/i, '$1***@');
}

function reason(issue: z.core.$ZodIssue, value: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      return `must be ${typeName(issue.expected)}, got ${describeType(value)}`;
    case 'too_big':
      return bound(issue.origin, issue.inclusive ? '<=' : '<', 'at most', Number(issue.maximum));
    case 'too_small':
      if (issue.origin === 'string' && Number(issue.minimum) === 1) return 'must not be empty';
      return bound(issue.origin, issue.inclusive ? '>=' : '>', 'at least', Number(issue.minimum));
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return issue.message;
  }
}

function bound(origin: string, op: string, words: string, limit: number): string {
  if (origin === 'array') return `must have ${words} ${limit} item${limit === 1 ? '' : 's'}`;
  if (origin === 'string') return `must be ${words} ${limit} characters long`;
  return `must be ${op} ${limit}`;
}

function typeName(expected: string): string {
  const names: Record<string, string> = {
    int: 'a whole number',
    number: 'a number',
    string: 'a string (quote it in TOML)',
    boolean: 'true or false',
    array: 'a list, e.g. ["a", "b"]',
    object: 'a table',
  };
  return names[expected] ?? expected;
}

function describeType(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'number' && !Number.isInteger(value)) return 'a fraction';
  if (typeof value === 'object' && value !== null) return 'a table';
  return `a ${typeof value}`;
}

function suggestion(parent: KeyPath, key: string): string {
  const known = schemaAt(parent)?.keys ?? [];
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  const close = best !== undefined && bestDistance <= Math.max(2, Math.floor(key.length / 4));
  const where = formatPath(parent) ? ` in [${formatPath(parent)}]` : '';
  if (close) return ` (did you mean ${best}?)`;
  return known.length ? `; known keys${where}: ${known.join(', ')}` : '';
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
}
