import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../stack/repo-root';

/**
 * Lint rules for deploy/docker/Dockerfile, checked here because hadolint is in neither Debian bookworm nor
 * npm. They follow hadolint's DL rules that matter for this image: pinned bases (DL3006/DL3007), apt hygiene
 * (DL3009/DL3015), exec-form CMD (DL3025), no ADD of URLs (DL3020), a non-root USER (DL3002), plus this
 * project's own: multi-stage, HEALTHCHECK, `npm ci --omit=dev`, config/ and the proto in the image.
 */
interface Stage {
  name: string;
  from: string;
  lines: string[];
}

function stages(text: string): { args: Record<string, string>; stages: Stage[] } {
  const joined = text.replace(/\\\n/g, ' ');
  const args: Record<string, string> = {};
  const out: Stage[] = [];
  for (const raw of joined.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) {
      out.push({ name: from[2] ?? `stage${out.length}`, from: from[1], lines: [] });
      continue;
    }
    const arg = /^ARG\s+(\w+)=(\S+)/.exec(line);
    if (arg && out.length === 0) args[arg[1]] = arg[2];
    out.at(-1)?.lines.push(line);
  }
  return { args, stages: out };
}

describe('deploy/docker/Dockerfile lint (documented hadolint-style checks)', () => {
  const text = readFileSync(join(repoRoot(), 'deploy', 'docker', 'Dockerfile'), 'utf8');
  const { args, stages: all } = stages(text);
  const names = new Set(all.map((s) => s.name));
  const runtime = all.filter((s) => ['cpu', 'cuda', 'webgpu'].includes(s.name));

  it('is multi-stage with cpu, cuda and webgpu runtime targets', () => {
    assert.deepEqual(runtime.map((s) => s.name).sort(), ['cpu', 'cuda', 'webgpu']);
    assert.ok(names.has('build') && names.has('deps'), 'build and deps stages');
  });

  it('pins every external base image by version, never latest', () => {
    for (const s of all) {
      if (names.has(s.from)) continue; // FROM an earlier stage
      const image = s.from.replace(/\$\{(\w+)\}/g, (_, v: string) => args[v] ?? `\${${v}}`);
      assert.doesNotMatch(image, /\$\{/, `${s.name}: FROM ${s.from} uses an ARG without a default`);
      assert.match(image, /:[0-9][\w.-]*(@sha256:[0-9a-f]{64})?$/, `${s.name}: ${image} is not pinned to a version`);
      assert.doesNotMatch(image, /:latest/, s.name);
    }
  });

  it('runs every runtime target as a non-root user with a HEALTHCHECK and an exec-form CMD', () => {
    for (const s of runtime) {
      const user = s.lines.filter((l) => /^USER\s/i.test(l)).at(-1);
      assert.ok(user, `${s.name}: no USER`);
      assert.doesNotMatch(user!, /USER\s+(root|0)(:|$)/i, `${s.name}: runs as root`);
      assert.ok(s.lines.some((l) => /^HEALTHCHECK\s+.*CMD\s+\[/i.test(l)), `${s.name}: no exec-form HEALTHCHECK`);
      assert.ok(s.lines.some((l) => /^CMD\s+\[/.test(l)), `${s.name}: CMD must be exec form (signals reach node)`);
      assert.ok(s.lines.some((l) => /ENV\s.*MODELS_DIR=\/models/.test(l)), `${s.name}: models come from /models`);
    }
  });

  it('installs production dependencies with npm ci --omit=dev and the CUDA EP at build time', () => {
    const deps = all.find((s) => s.name === 'deps')!;
    assert.ok(deps.lines.some((l) => /npm ci --omit=dev .*--workspace/.test(l)), 'npm ci --omit=dev --workspace');
    const cuda = all.find((s) => s.name === 'deps-cuda')!;
    assert.ok(cuda.lines.some((l) => /ONNXRUNTIME_NODE_INSTALL=cuda12 node .*onnxruntime-node\/script\/install\.js/.test(l)));
    assert.ok(all.find((s) => s.name === 'cuda')!.lines.some((l) => /COPY --from=deps-cuda/.test(l)));
  });

  it('ships config/ and the proto, and follows apt and ADD hygiene', () => {
    const app = all.find((s) => s.name === 'app')!;
    assert.ok(app.lines.some((l) => /COPY .*\/config \.\/config/.test(l)), 'config/');
    assert.ok(app.lines.some((l) => /COPY .*libs\/shared\/proto/.test(l)), 'the proto');
    for (const s of all) {
      for (const l of s.lines) {
        assert.doesNotMatch(l, /^ADD\s+https?:/i, `${s.name}: ADD of a URL`);
        if (/apt-get install/.test(l)) {
          assert.match(l, /--no-install-recommends/, `${s.name}: ${l}`);
          assert.match(l, /rm -rf \/var\/lib\/apt\/lists/, `${s.name}: apt lists left in the layer`);
        }
      }
    }
  });
});
