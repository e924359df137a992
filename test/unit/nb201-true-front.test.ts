import assert from 'node:assert/strict';
import test from 'node:test';
import { trueFrontIndices } from '../../src/core/nb201/benchmark';
import { loadNb201Table } from '../../src/core/nb201/table';
import { nb201TrueFronts } from '../../src/core/nb201/true-front';

test('nb201TrueFronts: one front per cost metric, the benchmark front sorted by cost, none dominated', () => {
  const fronts = nb201TrueFronts({ dataset: 'cifar10', costMetrics: ['edgegpu_latency', 'pixel3_latency'] });
  assert.deepEqual(
    fronts.map((f) => f.metric),
    ['edgegpu_latency', 'pixel3_latency'],
  );
  const t = loadNb201Table();
  for (const f of fronts) {
    const idx = trueFrontIndices({
      id: `cifar10/${f.metric}`,
      dataset: 'cifar10',
      metrics: [f.metric as 'edgegpu_latency'],
    });
    assert.equal(f.points.length, idx.length);
    const cost = t.hw('cifar10', f.metric as 'edgegpu_latency');
    const acc = t.testAccuracy('cifar10');
    assert.deepEqual(
      new Set(f.points.map(([c, a]) => `${c}/${a}`)),
      new Set(idx.map((i) => `${cost[i]}/${acc[i]}`)),
    );
    for (let k = 1; k < f.points.length; k++) assert.ok(f.points[k]![0] >= f.points[k - 1]![0]);
    for (const [c, a] of f.points)
      assert.ok(!f.points.some(([c2, a2]) => c2 <= c && a2 >= a && (c2 < c || a2 > a)), 'dominated point');
  }
});
