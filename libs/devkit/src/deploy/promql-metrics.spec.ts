import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { metricNamesInPromql, sampleNamesInExposition } from './promql-metrics';

describe('metric names in PromQL', () => {
  it('finds metrics, not functions, labels, keywords, numbers or Grafana variables', () => {
    assert.deepEqual(
      metricNamesInPromql(
        'histogram_quantile(0.95, sum by (le, queue) (rate(olt_x_bucket{stage="queue_wait",q=~"a|b"}[$__rate_interval]))) / clamp_min(sum(rate(olt_y_total[5m])), 1e-9) > 0.05 and on (queue) max by (queue) (olt_z) unless vector(0)',
      ),
      ['olt_x_bucket', 'olt_y_total', 'olt_z'],
    );
    assert.deepEqual(metricNamesInPromql('sum(DCGM_FI_DEV_FB_USED) * 1024 * 1024'), ['DCGM_FI_DEV_FB_USED']);
    assert.deepEqual(metricNamesInPromql('increase(a_total[$__range]) / 60'), ['a_total']);
  });

  it('reads sample names from a /metrics page', () => {
    const text = '# HELP a x\n# TYPE a counter\na_total{app="g"} 1\nb_bucket{le="1"} 2\nb_sum 3\nc 4\n';
    assert.deepEqual([...sampleNamesInExposition(text)].sort(), ['a_total', 'b_bucket', 'b_sum', 'c']);
  });
});
