// Front-quality metrics of the benchmark protocol (docs/benchmark.md): normalisation by the true front's ideal/nadir, exact 2-D
// hypervolume (sweep), exact 3-D hypervolume (slicing), IGD, and latency-range coverage. All objectives are
// minimised (accuracy enters as error = 100 − accuracy).

import { nonDominated, type Objectives } from './pareto.js';

export interface Bounds {
  ideal: number[];
  nadir: number[];
}

/** Ideal (component-wise min) and nadir (component-wise max) of a point set — the true front, per protocol. */
export function boundsOf(points: readonly Objectives[]): Bounds {
  const m = points[0]!.length;
  const ideal = new Array<number>(m).fill(Infinity);
  const nadir = new Array<number>(m).fill(-Infinity);
  for (const p of points) {
    for (let k = 0; k < m; k++) {
      ideal[k] = Math.min(ideal[k]!, p[k]!);
      nadir[k] = Math.max(nadir[k]!, p[k]!);
    }
  }
  return { ideal, nadir };
}

export function normalise(points: readonly Objectives[], b: Bounds): number[][] {
  return points.map((p) =>
    p.map((v, k) => {
      const span = b.nadir[k]! - b.ideal[k]!;
      return span > 0 ? (v - b.ideal[k]!) / span : 0;
    }),
  );
}

/** Exact 2-D hypervolume dominated by `points` w.r.t. `ref`; points not strictly better than ref in both add nothing. */
export function hypervolume2d(points: readonly Objectives[], ref: readonly [number, number]): number {
  const inside = points.filter((p) => p[0]! < ref[0] && p[1]! < ref[1]);
  if (inside.length === 0) return 0;
  const front = nonDominated(inside).map((i) => inside[i]!);
  front.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
  let hv = 0;
  let prevY = ref[1];
  for (const p of front) {
    if (p[1]! < prevY) {
      hv += (ref[0] - p[0]!) * (prevY - p[1]!);
      prevY = p[1]!;
    }
  }
  return hv;
}

/** Exact 3-D hypervolume by slicing along the third objective (O(n² log n); fronts here are small). */
export function hypervolume3d(points: readonly Objectives[], ref: readonly [number, number, number]): number {
  const inside = points.filter((p) => p[0]! < ref[0] && p[1]! < ref[1] && p[2]! < ref[2]);
  if (inside.length === 0) return 0;
  const sorted = [...inside].sort((a, b) => a[2]! - b[2]!);
  let hv = 0;
  for (let i = 0; i < sorted.length; i++) {
    const z = sorted[i]![2]!;
    const zNext = i + 1 < sorted.length ? sorted[i + 1]![2]! : ref[2];
    if (zNext <= z) continue;
    const slice = sorted.slice(0, i + 1).map((p) => [p[0]!, p[1]!]);
    hv += hypervolume2d(slice, [ref[0], ref[1]]) * (zNext - z);
  }
  return hv;
}

/** Inverted generational distance: mean over reference points of the distance to the nearest found point. */
export function igd(reference: readonly Objectives[], found: readonly Objectives[]): number {
  if (reference.length === 0) return 0;
  if (found.length === 0) return Infinity;
  let sum = 0;
  for (const r of reference) {
    let best = Infinity;
    for (const f of found) {
      let d = 0;
      for (let k = 0; k < r.length; k++) d += (r[k]! - f[k]!) ** 2;
      if (d < best) best = d;
    }
    sum += Math.sqrt(best);
  }
  return sum / reference.length;
}

/**
 * Latency-range coverage (the paper's "exploration bias" measure): the true front's latency range is cut into
 * `bins` equal-width bins; of the bins that hold at least one true-front point, the fraction that also hold at
 * least one point of the found front (scored with true latency). `axis` selects the latency objective.
 */
export function latencyCoverage(
  trueFront: readonly Objectives[],
  found: readonly Objectives[],
  axis = 1,
  bins = 10,
): number {
  const lat = trueFront.map((p) => p[axis]!);
  const lo = Math.min(...lat);
  const hi = Math.max(...lat);
  const binOf = (v: number): number => {
    if (hi === lo) return 0;
    const b = Math.floor(((v - lo) / (hi - lo)) * bins);
    return Math.min(bins - 1, b);
  };
  const wanted = new Set(lat.map(binOf));
  const got = new Set<number>();
  for (const p of found) {
    const v = p[axis]!;
    if (v >= lo && v <= hi) got.add(binOf(v));
  }
  let hit = 0;
  for (const b of wanted) if (got.has(b)) hit++;
  return hit / wanted.size;
}

export interface FrontScore {
  hv: number;
  hvRatio: number;
  igd: number;
  coverage: number;
  /** |F| of the reported front that was scored (protocol v2: ≤ 24), when the scorer chose it. */
  frontSize?: number;
  /** The protocol that chose the reported front, e.g. BENCHMARK_PROTOCOL. */
  protocol?: string;
}

/**
 * Scores a found front (true objective values, minimised) against the true front, exactly as the benchmark
 * protocol says: normalise by the true front's ideal/nadir, reference point 1.1 in every objective.
 */
export function scoreFront(trueFront: readonly Objectives[], found: readonly Objectives[]): FrontScore {
  const b = boundsOf(trueFront);
  const t = normalise(trueFront, b);
  const f = normalise(found, b);
  const m = trueFront[0]!.length;
  const hvOf = (pts: number[][]): number =>
    m === 2 ? hypervolume2d(pts, [1.1, 1.1]) : hypervolume3d(pts, [1.1, 1.1, 1.1]);
  const hvTrue = hvOf(t);
  const hv = hvOf(f);
  return { hv, hvRatio: hv / hvTrue, igd: igd(t, f), coverage: latencyCoverage(t, f, 1) };
}
