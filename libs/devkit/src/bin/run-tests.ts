#!/usr/bin/env node
/**
 * `npm test`: runs every compiled spec (apps/*\/dist, libs/*\/dist) with Node's test runner. Node 20's
 * runner does not expand globs, so the files are listed here. Arguments filter by substring:
 * `npm test -- gateway e2e` runs specs whose path contains "gateway" or "e2e".
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from '../stack/repo-root';
import { runSpecFiles } from '../testing/spec-runner';

function specFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules') continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) specFiles(path, out);
    else if (entry.endsWith('.spec.js')) out.push(path);
  }
  return out;
}

const root = repoRoot();
const filters = process.argv.slice(2);
const files = ['apps', 'libs']
  .flatMap((top) => readdirSync(join(root, top)).map((ws) => join(root, top, ws, 'dist')))
  .filter((dist) => existsSync(dist))
  .flatMap((dist) => specFiles(dist))
  .filter((f) => filters.length === 0 || filters.some((needle) => relative(root, f).includes(needle)))
  .sort();

if (files.length === 0) {
  console.error(
    `no spec files found${filters.length ? ` matching ${filters.join(', ')}` : ''}: run \`npm run build\` first`,
  );
  process.exit(1);
}
console.log(`running ${files.length} spec files`);
process.exit(runSpecFiles(files, { cwd: root }));
