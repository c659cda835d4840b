import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The monorepo root: the nearest ancestor of this file holding nx.json. */
export function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'nx.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the repository root (nx.json) above ${__dirname}`);
    dir = parent;
  }
  return dir;
}
