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
