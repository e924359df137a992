// The one rank-aggregation module (core/aggregate.ts): arithmetic = the benchmark's rank-average, geometric =
// AZ-NAS's sum of log percentiles (as a geometric mean); the same numbers through the zero-cost evaluator that
// FBNet and AutoFormer use (rank-avg / rank-geo) and through the NB201 table predictors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aggregateColumns, combinePercentiles, RankReference, rankAverage } from '../../src/core/aggregate';
import { ZcEvaluator } from '../../src/core/zc';
import { tablePredictorScores } from '../../src/core/nb201/evaluator';
import { loadNb201Table } from '../../src/core/nb201/table';

const close = (a: number, b: number, tol = 1e-12): void => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test('arithmetic and geometric aggregation of percentiles', () => {
  close(combinePercentiles([0.25, 1], 'arithmetic'), 0.625);
  close(combinePercentiles([0.25, 1], 'geometric'), 0.5);
  // geometric punishes one bad proxy: (0.9, 0.1) is below (0.5, 0.5) geometrically, equal arithmetically
  assert.ok(combinePercentiles([0.9, 0.1], 'geometric') < combinePercentiles([0.5, 0.5], 'geometric'));
  close(combinePercentiles([0.9, 0.1], 'arithmetic'), combinePercentiles([0.5, 0.5], 'arithmetic'));
  const cols = [
    [1, 2, 3, 4],
    [4, 3, 2, 2],
  ];
  // ranks: [1,2,3,4] and [4,3,1.5,1.5] → percentiles /4
  assert.deepEqual([...rankAverage(cols)], [5 / 8, 5 / 8, 4.5 / 8, 5.5 / 8]);
  const g = aggregateColumns(cols, 'geometric');
  close(g[0]!, Math.sqrt((1 / 4) * (4 / 4)));
  close(g[2]!, Math.sqrt((3 / 4) * (1.5 / 4)));
  assert.throws(() => combinePercentiles([], 'geometric'), /no proxy/);
});

test('RankReference: a reference item gets its own fractional rank; unknown stays finite', () => {
  const r = new RankReference({ a: [3, 1, 2, 2, NaN] }, ['a']);
  assert.equal(r.size('a'), 4, 'NaN is "not computed" and skipped');
  assert.equal(r.percentile('a', 2), 2.5 / 4);
  assert.equal(r.percentile('a', 0), 0.5 / 5);
  assert.equal(r.percentile('a', NaN), 0.5 / 5);
  assert.throws(() => new RankReference({}, ['a']), /no reference values/);
});

test('the zero-cost evaluator (FBNet, AutoFormer) aggregates with the same module: rank-avg and rank-geo', async () => {
  const reference = { settings: 't', columns: { a: [1, 2, 3, 4], b: [10, 20, 30, 40] } };
  const make = (predictor: string) =>
    new ZcEvaluator<number>({
      id: 'toy',
      predictor,
      rankProxies: ['a', 'b'],
      reference,
      metrics: ['lat'],
      score: (x) => Promise.resolve({ a: x, b: 10 }),
      hw: () => Promise.resolve({ lat: 1 }),
    });
  // a = 4 is the top of its reference (percentile 4/4), b = 10 the bottom ((0 + 1)/4)
  const avg = await make('rank-avg').evaluate(4);
  const geo = await make('rank-geo').evaluate(4);
  close(avg.predictedAccuracy, (1 + 0.25) / 2);
  close(geo.predictedAccuracy, Math.sqrt(1 * 0.25));
  assert.match(make('rank-geo').predictor.unit, /geometric mean/);
});

test('NB201 table predictors: rank-geo is the geometric aggregate of the published four', () => {
  const t = loadNb201Table();
  const cols = [
    t.proxy('cifar10', 'freerea_naswot'),
    t.proxy('cifar10', 'freerea_logsynflow'),
    t.proxy('cifar10', 'nbsz_zen'),
    t.params('cifar10'),
  ];
  assert.deepEqual(tablePredictorScores('cifar10', 'rank-geo'), aggregateColumns(cols, 'geometric'));
  assert.deepEqual(tablePredictorScores('cifar10', 'rank-avg'), rankAverage(cols));
});
