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

/**
 * Ridge plus a kernel correction: the linear model's residuals fitted by kernel ridge regression with a Gaussian
 * kernel exp(−γ‖x − x′‖²) on the same encoding (for one-hot encodings, ‖x − x′‖² is twice the number of slots
 * that differ), so interactions between slots (two convolutions in series, an op that only matters on a live
 * path) are learnt where the linear model cannot express them. O(n³) to fit, n = architectures evaluated.
 */
export class KernelRidgeModel {
  private constructor(
    private readonly linear: RidgeModel,
    private readonly xs: readonly (readonly number[])[],
    private readonly alpha: Float64Array,
    private readonly gamma: number,
  ) {}

  /**
   * The linear part is fitted on all points; the kernel part on the last `maxPoints` of them (the newest, nearest
   * the search's current front), which bounds the O(n³) fit.
   */
  static fit(
    allXs: readonly (readonly number[])[],
    allYs: readonly number[],
    gamma: number,
    lambda = 0.03,
    maxPoints = 400,
  ): KernelRidgeModel {
    const linear = RidgeModel.fit(allXs, allYs);
    const from = Math.max(0, allXs.length - maxPoints);
    const xs = allXs.slice(from);
    const n = xs.length;
    const r = allYs.slice(from).map((y, i) => y - linear.predict(xs[i]!));
    // K + λI, Cholesky factor in place (lower triangle), then two triangular solves
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j <= i; j++) {
        const k = kernel(xs[i]!, xs[j]!, gamma) + (i === j ? lambda : 0);
        a[i * n + j] = k;
      }
    for (let j = 0; j < n; j++) {
      let d = a[j * n + j]!;
      for (let k = 0; k < j; k++) d -= a[j * n + k]! ** 2;
      const l = Math.sqrt(Math.max(d, 1e-12));
      a[j * n + j] = l;
      for (let i = j + 1; i < n; i++) {
        let s = a[i * n + j]!;
        for (let k = 0; k < j; k++) s -= a[i * n + k]! * a[j * n + k]!;
        a[i * n + j] = s / l;
      }
    }
    const z = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = r[i]!;
      for (let k = 0; k < i; k++) s -= a[i * n + k]! * z[k]!;
      z[i] = s / a[i * n + i]!;
    }
    const alpha = new Float64Array(n);
    for (let i = n - 1; i >= 0; i--) {
      let s = z[i]!;
      for (let k = i + 1; k < n; k++) s -= a[k * n + i]! * alpha[k]!;
      alpha[i] = s / a[i * n + i]!;
    }
    return new KernelRidgeModel(linear, xs, alpha, gamma);
  }

  predict(x: readonly number[]): number {
    let s = this.linear.predict(x);
    for (let i = 0; i < this.xs.length; i++) s += this.alpha[i]! * kernel(x, this.xs[i]!, this.gamma);
    return s;
  }
}

function kernel(a: readonly number[], b: readonly number[], gamma: number): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) {
    const t = a[i]! - b[i]!;
    d += t * t;
  }
  return Math.exp(-gamma * d);
}
