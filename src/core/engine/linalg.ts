// Float64 numerics for the proxies: log|det| by LU with partial pivoting (NASWOT), Pearson correlation and the
// smallest eigenvalue of a symmetric matrix by cyclic Jacobi rotations (MeCo).

/** log |det A| of an n×n row-major matrix (copied); -Infinity when singular. */
export function logAbsDet(a: Float64Array, n: number): number {
  const m = Float64Array.from(a);
  let logdet = 0;
  for (let k = 0; k < n; k++) {
    let p = k;
    let best = Math.abs(m[k * n + k]!);
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(m[i * n + k]!);
      if (v > best) {
        best = v;
        p = i;
      }
    }
    if (best === 0) return -Infinity;
    if (p !== k)
      for (let j = 0; j < n; j++) {
        const tmp = m[k * n + j]!;
        m[k * n + j] = m[p * n + j]!;
        m[p * n + j] = tmp;
      }
    const piv = m[k * n + k]!;
    logdet += Math.log(Math.abs(piv));
    for (let i = k + 1; i < n; i++) {
      const f = m[i * n + k]! / piv;
      if (f === 0) continue;
      for (let j = k + 1; j < n; j++) m[i * n + j]! -= f * m[k * n + j]!;
    }
  }
  return logdet;
}

/**
 * Pearson correlation of the rows of a rows×cols matrix (torch.corrcoef semantics), in float64, with NaN entries
 * (rows of zero variance) set to 0 as MeCo does.
 */
export function corrcoefRows(x: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const centred = new Float64Array(rows * cols);
  const norm = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let mean = 0;
    for (let c = 0; c < cols; c++) mean += x[r * cols + c]!;
    mean /= cols;
    let ss = 0;
    for (let c = 0; c < cols; c++) {
      const d = x[r * cols + c]! - mean;
      centred[r * cols + c] = d;
      ss += d * d;
    }
    norm[r] = Math.sqrt(ss);
  }
  const out = new Float64Array(rows * rows);
  for (let i = 0; i < rows; i++) {
    for (let j = i; j < rows; j++) {
      let s = 0;
      for (let c = 0; c < cols; c++) s += centred[i * cols + c]! * centred[j * cols + c]!;
      let v = s / (norm[i]! * norm[j]!);
      if (!Number.isFinite(v)) v = 0;
      // torch.corrcoef clips to [-1, 1]
      v = Math.max(-1, Math.min(1, v));
      out[i * rows + j] = v;
      out[j * rows + i] = v;
    }
  }
  return out;
}

/** All eigenvalues of a symmetric n×n matrix (cyclic Jacobi), ascending. */
export function symmetricEigenvalues(a: Float64Array, n: number): Float64Array {
  const m = Float64Array.from(a);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let diag = 0;
    for (let i = 0; i < n; i++) {
      diag += m[i * n + i]! * m[i * n + i]!;
      for (let j = i + 1; j < n; j++) off += m[i * n + j]! * m[i * n + j]!;
    }
    if (off <= 1e-30 * (diag + 1e-300) || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const app = m[p * n + p]!;
        const aqq = m[q * n + q]!;
        const theta = (aqq - app) / (2 * apq);
        const tt = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(tt * tt + 1);
        const s = tt * c;
        for (let k = 0; k < n; k++) {
          const akp = m[k * n + p]!;
          const akq = m[k * n + q]!;
          m[k * n + p] = c * akp - s * akq;
          m[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = m[p * n + k]!;
          const aqk = m[q * n + k]!;
          m[p * n + k] = c * apk - s * aqk;
          m[q * n + k] = s * apk + c * aqk;
        }
      }
    }
  }
  const ev = new Float64Array(n);
  for (let i = 0; i < n; i++) ev[i] = m[i * n + i]!;
  return ev.sort();
}

/**
 * Smallest eigenvalue of a symmetric n×n matrix: Householder reduction to tridiagonal form, then bisection with
 * Sturm counts (about 20× cheaper than full Jacobi for MeCo's 64×64 correlations, same float64 accuracy).
 */
export function symmetricMinEigenvalue(a: Float64Array, n: number): number {
  if (n === 1) return a[0]!;
  const m = Float64Array.from(a);
  const v = new Float64Array(n);
  const p = new Float64Array(n);
  for (let k = 0; k < n - 2; k++) {
    let norm = 0;
    for (let i = k + 1; i < n; i++) norm += m[i * n + k]! * m[i * n + k]!;
    norm = Math.sqrt(norm);
    if (norm === 0) continue;
    const x0 = m[(k + 1) * n + k]!;
    const alpha = x0 > 0 ? -norm : norm;
    let vn = 0;
    for (let i = k + 1; i < n; i++) {
      v[i] = m[i * n + k]! - (i === k + 1 ? alpha : 0);
      vn += v[i]! * v[i]!;
    }
    vn = Math.sqrt(vn);
    if (vn === 0) continue;
    for (let i = k + 1; i < n; i++) v[i] = v[i]! / vn;
    let kk = 0;
    for (let i = k + 1; i < n; i++) {
      let s = 0;
      for (let j = k + 1; j < n; j++) s += m[i * n + j]! * v[j]!;
      p[i] = s;
      kk += v[i]! * s;
    }
    for (let i = k + 1; i < n; i++) p[i] = p[i]! - kk * v[i]!;
    for (let i = k + 1; i < n; i++)
      for (let j = k + 1; j < n; j++) m[i * n + j]! -= 2 * (v[i]! * p[j]! + p[i]! * v[j]!);
    m[(k + 1) * n + k] = alpha;
    m[k * n + k + 1] = alpha;
    for (let i = k + 2; i < n; i++) {
      m[i * n + k] = 0;
      m[k * n + i] = 0;
    }
  }
  const d = new Float64Array(n);
  const e2 = new Float64Array(n);
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    d[i] = m[i * n + i]!;
    const left = i > 0 ? Math.abs(m[i * n + i - 1]!) : 0;
    const right = i < n - 1 ? Math.abs(m[(i + 1) * n + i]!) : 0;
    if (i < n - 1) e2[i] = m[(i + 1) * n + i]! * m[(i + 1) * n + i]!;
    lo = Math.min(lo, d[i]! - left - right);
    hi = Math.max(hi, d[i]! + left + right);
  }
  // number of eigenvalues < x (Sturm sequence of the LDLᵀ pivots of T − xI)
  const below = (x: number): number => {
    let count = 0;
    let q = d[0]! - x;
    for (let i = 0; ; i++) {
      if (q === 0) q = -1e-300;
      if (q < 0) count++;
      if (i === n - 1) break;
      q = d[i + 1]! - x - e2[i]! / q;
    }
    return count;
  };
  for (let it = 0; it < 200 && hi - lo > 1e-15 * Math.max(1, Math.abs(lo) + Math.abs(hi)); it++) {
    const mid = 0.5 * (lo + hi);
    if (mid === lo || mid === hi) break;
    if (below(mid) >= 1) hi = mid;
    else lo = mid;
  }
  return 0.5 * (lo + hi);
}
