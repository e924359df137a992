// Label-free accuracy predictors from zero-cost proxies: fractional ranks and their average (the benchmark's
// rank-average ensemble: for each proxy, ranks over all architectures with ties sharing their average rank,
// higher score = higher rank, then the mean of the ranks).

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

/** Mean of the fractional ranks of several proxies, scaled to 0..1 by the number of items. */
export function rankAverage(columns: readonly ArrayLike<number>[]): Float64Array {
  const n = columns[0]!.length;
  const out = new Float64Array(n);
  for (const c of columns) {
    const r = fractionalRanks(c);
    for (let i = 0; i < n; i++) out[i]! += r[i]!;
  }
  for (let i = 0; i < n; i++) out[i] = out[i]! / columns.length / n;
  return out;
}

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
