// A cheap surrogate for the built-in operator: ridge regression from a space's architecture encoding (e.g.
// one-hot op per edge) to each objective, fitted on every architecture the run has evaluated so far. It ranks
// a large pool of mutation/crossover children so only the most promising ones spend evaluation budget.

export class RidgeModel {
  private constructor(
    private readonly w: Float64Array,
    private readonly dim: number,
  ) {}

  /** Fits y ≈ w·[x, 1] with an L2 penalty `lambda` (intercept not penalised). */
  static fit(xs: readonly (readonly number[])[], ys: readonly number[], lambda = 1e-2): RidgeModel {
    const d = xs[0]!.length + 1;
    const a = Array.from({ length: d }, () => new Float64Array(d + 1));
    for (let n = 0; n < xs.length; n++) {
      const x = [...xs[n]!, 1];
      for (let i = 0; i < d; i++) {
        const xi = x[i]!;
        if (xi === 0) continue;
        for (let j = 0; j < d; j++) a[i]![j]! += xi * x[j]!;
        a[i]![d]! += xi * ys[n]!;
      }
    }
    for (let i = 0; i < d - 1; i++) a[i]![i]! += lambda;
    a[d - 1]![d - 1]! += 1e-9;
    // Gaussian elimination with partial pivoting on the augmented normal equations
    for (let c = 0; c < d; c++) {
      let p = c;
      for (let r = c + 1; r < d; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[p]![c]!)) p = r;
      [a[c], a[p]] = [a[p]!, a[c]!];
      const piv = a[c]![c]!;
      if (Math.abs(piv) < 1e-15) continue;
      for (let r = 0; r < d; r++) {
        if (r === c) continue;
        const f = a[r]![c]! / piv;
        if (f === 0) continue;
        for (let k = c; k <= d; k++) a[r]![k]! -= f * a[c]![k]!;
      }
    }
    const w = new Float64Array(d);
    for (let i = 0; i < d; i++) w[i] = Math.abs(a[i]![i]!) < 1e-15 ? 0 : a[i]![d]! / a[i]![i]!;
    return new RidgeModel(w, d - 1);
  }

  predict(x: readonly number[]): number {
    let s = this.w[this.dim]!;
    for (let i = 0; i < this.dim; i++) s += this.w[i]! * x[i]!;
    return s;
  }

  /** The weights, then the intercept. */
  weights(): number[] {
    return [...this.w];
  }
}
