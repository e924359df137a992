// Label-free accuracy predictor over live proxies: the rank ensemble. Each proxy's value is placed in a
// reference distribution of the same proxy (the full-space table when one is shipped, else a seeded reference
// sample) as a fractional-rank percentile; the predicted accuracy is the mean percentile. No accuracy label is
// used anywhere, so the predictor reports labels: 0.

import type { LiveProxy, ProxyScores } from './settings.js';

/** Chosen a priori, the benchmark's published-proxy ensemble with live proxies: naswot, synflow, zen, params. */
export const ENSEMBLE_PROXIES: readonly LiveProxy[] = ['naswot', 'logsynflow', 'zen', 'params'];

/** -Infinity (a disconnected cell's log of zero) ranks lowest; NaN means "not computed" and is skipped. */
function sortedFinite(col: ArrayLike<number>): Float64Array {
  const xs: number[] = [];
  for (let i = 0; i < col.length; i++) if (!Number.isNaN(col[i]!)) xs.push(col[i]!);
  return Float64Array.from(xs).sort();
}

function lowerBound(a: Float64Array, v: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class RankEnsemble {
  private readonly refs: Map<LiveProxy, Float64Array>;

  constructor(
    reference: Partial<Record<LiveProxy, ArrayLike<number>>>,
    readonly proxies: readonly LiveProxy[] = ENSEMBLE_PROXIES,
  ) {
    this.refs = new Map();
    for (const p of proxies) {
      const col = reference[p];
      if (!col) throw new Error(`rank ensemble: no reference values for proxy "${p}"`);
      const s = sortedFinite(col);
      if (s.length === 0) throw new Error(`rank ensemble: reference for "${p}" is empty`);
      this.refs.set(p, s);
    }
  }

  /**
   * Percentile (0..1] of one value among the reference: (#less + (#equal + 1) / 2) / n, i.e. the fractional rank
   * the value would have if it were one of the reference items (exactly its rank when it is).
   */
  percentile(p: LiveProxy, v: number): number {
    const ref = this.refs.get(p)!;
    if (Number.isNaN(v)) return 0;
    const lo = lowerBound(ref, v);
    let hi = lo;
    while (hi < ref.length && ref[hi] === v) hi++;
    const equal = hi - lo;
    const n = equal > 0 ? ref.length : ref.length + 1;
    return (lo + (equal + 1) / 2) / n;
  }

  predict(scores: ProxyScores): number {
    let s = 0;
    for (const p of this.proxies) s += this.percentile(p, scores[p] ?? NaN);
    return s / this.proxies.length;
  }
}
