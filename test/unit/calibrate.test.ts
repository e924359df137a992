// Calibration with K labelled architectures: the labelled cells keep their known rank, the fit is deterministic,
// more labels of a stronger feature set raise the whole-space rank correlation, and the bench counts K in the
// budget and reports it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runBench } from '../../src/core/nb201/bench';
import { calibrate } from '../../src/core/nb201/calibrate';
import { latencyTasks } from '../../src/core/nb201/benchmark';
import { loadNb201Table } from '../../src/core/nb201/table';
import { spearman } from '../../src/core/predictor';
import { Rng } from '../../src/core/rng';

test('calibrate: labelled cells hold their true rank among the labelled; deterministic; errors', () => {
  const acc = loadNb201Table().testAccuracy('cifar10');
  const labelled = new Rng('cal-test').shuffle([...Array(15625).keys()]).slice(0, 40);
  const c = calibrate('cifar10', 'rank-avg', labelled);
  const best = labelled.reduce((b, i) => (acc[i]! > acc[b]! ? i : b));
  const worst = labelled.reduce((b, i) => (acc[i]! < acc[b]! ? i : b));
  assert.ok(c.scores[best]! > c.scores[worst]!);
  assert.ok(Math.abs(c.scores[best]! - 1) < 1e-12, `best labelled = percentile 1, got ${c.scores[best]}`);
  assert.ok(Math.abs(c.scores[worst]! - 1 / 40) < 1e-12);
  assert.deepEqual(calibrate('cifar10', 'rank-avg', labelled).scores, c.scores);
  assert.ok(c.weights.every(Number.isFinite));
  assert.throws(() => calibrate('cifar10', 'rank-avg', [3]), /at least 2 labelled/);
});

test('calibrate: 100 labels on the live proxies raise the whole-space Spearman rho above the zero-label ensemble', () => {
  const acc = loadNb201Table().testAccuracy('cifar10');
  const labelled = new Rng('cal-rho').shuffle([...Array(15625).keys()]).slice(0, 100);
  const rho = spearman(calibrate('cifar10', 'live', labelled).scores, acc);
  assert.ok(rho > 0.85, `calibrated rho ${rho.toFixed(3)} (zero-label ensemble 0.788)`);
});

test('bench --labels K: K counted in the budget, reported in the row', async () => {
  const rows = await runBench({
    budget: 100,
    seeds: 2,
    labels: 20,
    predictor: 'rank-avg',
    searchers: ['random', 'llm-nas-builtin'],
    tasks: latencyTasks().filter((t) => t.id === 'cifar10/edgegpu'),
  });
  for (const r of rows) {
    assert.equal(r.labels, 20);
    assert.ok(r.evaluations_mean <= 100 && r.evaluations_mean > 80, String(r.evaluations_mean));
    assert.ok(r.hv_ratio_mean > 0.5 && r.hv_ratio_mean <= 1.0001);
  }
  await assert.rejects(
    () => runBench({ budget: 10, seeds: 1, labels: 10, predictor: 'rank-avg', searchers: ['random'] }),
    /--labels 10 must be below the budget 10/,
  );
});
