// Calibrating a zero-cost predictor with K labelled architectures (docs/benchmark.md: "a predictor calibrated on K
// labelled architectures must say K, and they count towards the evaluation budget"). The predictor's proxies,
// each as a rank percentile over the whole space (no labels needed), are the features of a ridge regression
// fitted on the K labelled cells' true accuracies; its predictions replace the zero-label ensemble, and the K
// labelled cells keep their known accuracy.

import { RidgeModel } from '../surrogate.js';
import { fractionalRanks } from '../predictor.js';
import { RANK_AVG_PROXIES, tablePredictorScores } from './evaluator.js';
import { liveFeatureColumns } from './live-scores.js';
import { loadNb201Table, type Nb201Dataset } from './table.js';

const percentiles = (c: ArrayLike<number>): Float64Array => {
  const r = fractionalRanks(c);
  return r.map((v) => v / r.length);
};

const featureCache = new Map<string, Float64Array[]>();

/** Rank-percentile columns of the proxies behind `predictor` (a single proxy: its own column). */
export function predictorFeatures(ds: Nb201Dataset, predictor: string): Float64Array[] {
  const key = `${ds}/${predictor}`;
  let f = featureCache.get(key);
  if (!f) {
    if (predictor === 'live') f = liveFeatureColumns(ds).map(percentiles);
    else if (predictor === 'rank-avg') {
      const t = loadNb201Table();
      f = RANK_AVG_PROXIES.map((p) => percentiles(p === 'params' ? t.params(ds) : t.proxy(ds, p)));
    } else f = [tablePredictorScores(ds, predictor)];
    featureCache.set(key, f);
  }
  return f;
}

export interface Calibration {
  /** Predicted accuracy percentile (0..1) of every NB201 index; the labelled ones hold their true percentile. */
  scores: Float64Array;
  labelled: number[];
  /** Ridge weights per feature, then the intercept (for the report). */
  weights: number[];
}

/** Fits the predictor's features to the true accuracy of `labelled` cells and predicts every cell. */
export function calibrate(
  ds: Nb201Dataset,
  predictor: string,
  labelled: readonly number[],
  lambda = 1,
): Calibration {
  if (labelled.length < 2)
    throw new Error(`calibration needs at least 2 labelled architectures, got ${labelled.length}`);
  const cols = predictorFeatures(ds, predictor);
  const acc = loadNb201Table().testAccuracy(ds);
  // shrunk towards the zero-label predictor: its own score is a feature whose weight is (almost) not penalised
  // (scaled up 100x), the proxies' weights are; few labels leave the zero-label ranking nearly as it was
  const prior = tablePredictorScores(ds, predictor);
  const row = (i: number): number[] => [100 * prior[i]!, ...cols.map((c) => c[i]!)];
  // the target is the labelled cells' accuracy RANK (a percentile among them): accuracy itself is dominated by a
  // few degenerate cells near 10 %, which a linear fit chases at the expense of the ranking among good cells
  const target = fractionalRanks(labelled.map((i) => acc[i]!)).map((r) => r / labelled.length);
  const model = RidgeModel.fit(labelled.map(row), [...target], lambda);
  const n = cols[0]!.length;
  const scores = new Float64Array(n);
  for (let i = 0; i < n; i++) scores[i] = model.predict(row(i));
  // the labelled cells keep what is known of them: their true rank among the labelled, on the same scale
  labelled.forEach((i, k) => (scores[i] = target[k]!));
  return { scores, labelled: [...labelled], weights: model.weights() };
}
