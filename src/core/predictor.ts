// Label-free accuracy predictors from zero-cost proxies: rank aggregation lives in core/aggregate.ts (re-exported
// here for callers of the rank-average); Spearman's ρ for checking a predictor against accuracy.

import { fractionalRanks } from './aggregate.js';

export { aggregateColumns, fractionalRanks, rankAverage } from './aggregate.js';

/** Spearman rank correlation (ties by fractional ranks); pairs with a NaN on either side are dropped. */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < a.length; i++) {
    if (!Number.isNaN(a[i]!) && !Number.isNaN(b[i]!)) {
      xs.push(a[i]!);
      ys.push(b[i]!);
    }
  }
  const rx = fractionalRanks(xs);
  const ry = fractionalRanks(ys);
  const n = xs.length;
  const mean = (n + 1) / 2;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = rx[i]! - mean;
    const dy = ry[i]! - mean;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxy / Math.sqrt(sxx * syy);
}
