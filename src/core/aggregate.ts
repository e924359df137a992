// Rank aggregation of zero-cost proxies — the one implementation every space uses (NB201 tables, the live NB201
// evaluator, FBNet and AutoFormer through the zero-cost evaluator). Each proxy's value becomes a percentile in
// (0, 1] of a reference distribution of the same proxy (the whole space when it is tabulated, else a seeded
// reference sample); the percentiles are then combined:
//   arithmetic: their mean (the benchmark's rank-average);
//   geometric:  exp(mean log percentile), monotone in AZ-NAS's sum of log ranks (Lee & Ham, CVPR 2024), which
//               punishes a cell that is poor in any one proxy instead of letting another proxy make up for it.
// No accuracy enters anywhere.

export const AGGREGATIONS = ['arithmetic', 'geometric'] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

/** Fractional ranks 1..n (ties share the average rank); NaN values rank lowest (they share rank ~1). */
export function fractionalRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const key = (i: number): number => {
    const v = values[i]!;
    return Number.isNaN(v) ? -Infinity : v;
  };
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => key(a) - key(b) || a - b);
  const ranks = new Float64Array(n);
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && key(order[j + 1]!) === key(order[i]!)) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]!] = r;
    i = j + 1;
  }
  return ranks;
}

/** Combines percentiles in (0, 1] of one item into one score in (0, 1]. */
export function combinePercentiles(ps: readonly number[], how: Aggregation): number {
  if (ps.length === 0) throw new Error('rank aggregation of no proxy');
  if (how === 'arithmetic') return ps.reduce((a, b) => a + b, 0) / ps.length;
  let s = 0;
  for (const p of ps) s += Math.log(p);
  return Math.exp(s / ps.length);
}

/**
 * Aggregated rank percentile of every item when the reference IS the item set (a full-space table): each
 * column's fractional rank / n, combined per item. Arithmetic is exactly the benchmark's rank-average.
 */
export function aggregateColumns(columns: readonly ArrayLike<number>[], how: Aggregation): Float64Array {
  const n = columns[0]!.length;
  const ranks = columns.map((c) => fractionalRanks(c));
  const out = new Float64Array(n);
  const ps = new Array<number>(columns.length);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < ranks.length; k++) ps[k] = ranks[k]![i]! / n;
    out[i] = combinePercentiles(ps, how);
  }
  return out;
}

/** The benchmark's rank-average (arithmetic aggregation over the item set). */
export function rankAverage(columns: readonly ArrayLike<number>[]): Float64Array {
  return aggregateColumns(columns, 'arithmetic');
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

/**
 * Reference distributions of several proxies, for scoring one item at a time (a live candidate). NaN in a
 * reference means "not computed" and is skipped; -Infinity (a log of zero) ranks lowest.
 */
export class RankReference<P extends string = string> {
  private readonly refs = new Map<P, Float64Array>();

  constructor(reference: Partial<Record<P, ArrayLike<number>>>, proxies: readonly P[]) {
    for (const p of proxies) {
      const col = reference[p];
      if (!col) throw new Error(`rank aggregation: no reference values for proxy "${p}"`);
      const xs: number[] = [];
      for (let i = 0; i < col.length; i++) if (!Number.isNaN(col[i]!)) xs.push(col[i]!);
      if (xs.length === 0) throw new Error(`rank aggregation: reference for "${p}" is empty`);
      this.refs.set(p, Float64Array.from(xs).sort());
    }
  }

  /** Reference size of a proxy. */
  size(p: P): number {
    return this.refs.get(p)?.length ?? 0;
  }

  /**
   * Percentile (0..1] of one value among the reference: (#less + (#equal + 1) / 2) / n, i.e. the fractional rank
   * the value would have if it were one of the reference items (exactly its rank / n when it is). An unknown
   * (NaN) value gets the lowest percentile a new item can have, 1 / (2 (n + 1)), so a geometric aggregate stays
   * finite.
   */
  percentile(p: P, v: number): number {
    const ref = this.refs.get(p);
    if (!ref) throw new Error(`rank aggregation: proxy "${p}" has no reference`);
    if (Number.isNaN(v)) return 0.5 / (ref.length + 1);
    const lo = lowerBound(ref, v);
    let hi = lo;
    while (hi < ref.length && ref[hi] === v) hi++;
    const equal = hi - lo;
    const n = equal > 0 ? ref.length : ref.length + 1;
    return (lo + (equal + 1) / 2) / n;
  }

  /** Aggregated percentile of one item's proxy scores. */
  score(scores: Partial<Record<P, number>>, proxies: readonly P[], how: Aggregation): number {
    return combinePercentiles(
      proxies.map((p) => this.percentile(p, scores[p] ?? NaN)),
      how,
    );
  }
}
