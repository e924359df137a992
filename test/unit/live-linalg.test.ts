// Float64 numerics behind the live proxies: log|det| and the smallest symmetric eigenvalue.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  corrcoefRows,
  logAbsDet,
  symmetricEigenvalues,
  symmetricMinEigenvalue,
} from '../../src/core/engine/linalg.js';
import { Rng } from '../../src/core/rng.js';

describe('live linalg', () => {
  it('log|det| of small matrices by hand', () => {
    assert.ok(Math.abs(logAbsDet(Float64Array.of(2, 1, 1, 3), 2) - Math.log(5)) < 1e-15);
    assert.ok(Math.abs(logAbsDet(Float64Array.of(0, 2, 3, 0), 2) - Math.log(6)) < 1e-15);
    assert.equal(logAbsDet(Float64Array.of(1, 2, 2, 4), 2), -Infinity);
  });

  it('smallest eigenvalue: [[2,1],[1,2]] → 1; tridiagonal bisection agrees with Jacobi on correlations', () => {
    assert.ok(Math.abs(symmetricMinEigenvalue(Float64Array.of(2, 1, 1, 2), 2) - 1) < 1e-14);
    const rng = new Rng(5);
    for (const [c, hw] of [
      [16, 1024],
      [64, 64],
      [32, 256],
      [5, 3],
    ] as const) {
      const x = Float64Array.from({ length: c * hw }, () => rng.next() - 0.5);
      const corr = corrcoefRows(x, c, hw);
      const jacobi = symmetricEigenvalues(corr, c)[0]!;
      assert.ok(Math.abs(symmetricMinEigenvalue(corr, c) - jacobi) < 1e-12, `${c}x${hw}`);
    }
  });
});
