import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../stack/repo-root';
import { needsProgram } from '../testing/system-programs';
import { run, which } from './tools';

/** promtool (Debian package `prometheus`, installed by .ci/run) on the alert rules and the compose config. */
describe('Prometheus rules and config (promtool)', () => {
  const skip = needsProgram('promtool', '`promtool check` on the alert rules and Prometheus config');
  const bin = which('promtool');
  const dir = join(repoRoot(), 'deploy', 'prometheus');

  it('`promtool check rules` accepts deploy/prometheus/alerts.yml', { skip }, () => {
    const res = run(bin!, ['check', 'rules', 'alerts.yml'], dir);
    assert.equal(res.status, 0, res.out);
    assert.match(res.out, /SUCCESS: \d+ rules found/);
  });

  it('`promtool check config` accepts deploy/prometheus/prometheus.yml', { skip }, () => {
    // --syntax-only: the rule file path is the one inside the Prometheus container.
    const res = run(bin!, ['check', 'config', '--syntax-only', 'prometheus.yml'], dir);
    assert.equal(res.status, 0, res.out);
  });
});
