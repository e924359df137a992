// Pareto dominance, non-dominated sorting and crowding (NSGA-II), over objective vectors to MINIMISE.
// Callers turn "maximise accuracy" into "minimise error" (or -accuracy) before calling.

export type Objectives = readonly number[];

/** a dominates b: no worse in every objective and strictly better in one. */
export function dominates(a: Objectives, b: Objectives): boolean {
  let strictly = false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x > y) return false;
    if (x < y) strictly = true;
  }
  return strictly;
}

/**
 * Indices of the non-dominated points. Points with identical objective vectors are all kept
 * (standard dominance, as the benchmark protocol requires). O(n log n) for 2 objectives.
 */
export function nonDominated(points: readonly Objectives[]): number[] {
  if (points.length === 0) return [];
  if (points[0]!.length === 2) return nonDominated2d(points);
  // Lexicographic order puts every dominator before what it dominates, and domination is transitive, so a
  // point is non-dominated iff no member of the front found so far dominates it: O(n · |front|).
  const order = points.map((_, i) => i);
  order.sort((a, b) => {
    const p = points[a]!;
    const q = points[b]!;
    for (let k = 0; k < p.length; k++) if (p[k] !== q[k]) return p[k]! - q[k]!;
    return a - b;
  });
  const front: number[] = [];
  for (const i of order) if (!front.some((j) => dominates(points[j]!, points[i]!))) front.push(i);
  return front.sort((a, b) => a - b);
}

function nonDominated2d(points: readonly Objectives[]): number[] {
  // a NaN objective compares with nothing: such a point is on no front (and must not stall the sweep)
  const order = points
    .map((_, i) => i)
    .filter((i) => !Number.isNaN(points[i]![0]) && !Number.isNaN(points[i]![1]));
  order.sort((a, b) => points[a]![0]! - points[b]![0]! || points[a]![1]! - points[b]![1]!);
  const out: number[] = [];
  let bestY = Infinity; // best second objective among points with strictly smaller first objective
  let k = 0;
  while (k < order.length) {
    // group of equal first objective: within it only the minimal second objective survives
    const x = points[order[k]!]![0]!;
    let end = k + 1; // k + 1: a NaN first objective equals nothing, itself included, and must still advance
    while (end < order.length && points[order[end]!]![0]! === x) end++;
    const groupMinY = points[order[k]!]![1]!;
    for (let g = k; g < end; g++) {
      const y = points[order[g]!]![1]!;
      if (y === groupMinY && y < bestY) out.push(order[g]!);
    }
    if (groupMinY < bestY) bestY = groupMinY;
    k = end;
  }
  return out.sort((a, b) => a - b);
}

/** Fast non-dominated sort (Deb et al. 2002): fronts of indices, best first. */
export function nonDominatedSort(points: readonly Objectives[]): number[][] {
  const n = points.length;
  const dominatedBy: number[][] = Array.from({ length: n }, () => []);
  const count = new Array<number>(n).fill(0);
  const fronts: number[][] = [[]];
  for (let p = 0; p < n; p++) {
    for (let q = p + 1; q < n; q++) {
      if (dominates(points[p]!, points[q]!)) {
        dominatedBy[p]!.push(q);
        count[q]!++;
      } else if (dominates(points[q]!, points[p]!)) {
        dominatedBy[q]!.push(p);
        count[p]!++;
      }
    }
  }
  for (let p = 0; p < n; p++) if (count[p] === 0) fronts[0]!.push(p);
  let i = 0;
  while (fronts[i]!.length > 0) {
    const next: number[] = [];
    for (const p of fronts[i]!) {
      for (const q of dominatedBy[p]!) {
        count[q]!--;
        if (count[q] === 0) next.push(q);
      }
    }
    i++;
    fronts.push(next);
  }
  fronts.pop();
  return fronts;
}

/** Crowding distance of each member of one front (boundary points get Infinity). */
export function crowdingDistance(
  points: readonly Objectives[],
  front: readonly number[],
): Map<number, number> {
  const dist = new Map<number, number>(front.map((i) => [i, 0]));
  if (front.length === 0) return dist;
  const m = points[front[0]!]!.length;
  for (let k = 0; k < m; k++) {
    const sorted = [...front].sort((a, b) => points[a]![k]! - points[b]![k]! || a - b);
    const lo = points[sorted[0]!]![k]!;
    const hi = points[sorted[sorted.length - 1]!]![k]!;
    dist.set(sorted[0]!, Infinity);
    dist.set(sorted[sorted.length - 1]!, Infinity);
    if (hi === lo) continue;
    for (let j = 1; j < sorted.length - 1; j++) {
      const d = (points[sorted[j + 1]!]![k]! - points[sorted[j - 1]!]![k]!) / (hi - lo);
      dist.set(sorted[j]!, dist.get(sorted[j]!)! + d);
    }
  }
  return dist;
}

/**
 * NSGA-II environmental selection: pick `size` indices by front rank, then by crowding distance.
 * Ties are broken by index so the choice is deterministic.
 */
export function selectNsga2(points: readonly Objectives[], size: number): number[] {
  if (points.length <= size) return points.map((_, i) => i);
  const chosen: number[] = [];
  for (const front of nonDominatedSort(points)) {
    if (chosen.length + front.length <= size) {
      chosen.push(...front);
      if (chosen.length === size) break;
      continue;
    }
    const cd = crowdingDistance(points, front);
    const rest = [...front].sort((a, b) => cd.get(b)! - cd.get(a)! || a - b);
    chosen.push(...rest.slice(0, size - chosen.length));
    break;
  }
  return chosen;
}

/** Protocol v2 (docs/benchmark.md): the reported front holds at most this many architectures. */
export const FRONT_CAP = 24;

export interface FrontCandidate {
  /** The searcher's view: predicted accuracy (maximised), as the search used it. */
  predicted: number;
  /** Cost objectives (minimised), e.g. [latency] or [latency, energy]. */
  costs: readonly number[];
  /** Tie-break key (NB201 index, evaluation order): among exact ties the lowest is kept; the cap removes the highest first. */
  key: number;
}

export interface ReportedFront {
  /** Positions in the candidate list, sorted by the first cost ascending. */
  members: number[];
  /** Non-dominated size after collapsing exact ties, before the cap. */
  uncapped: number;
}

/**
 * Rules 1–3 of the benchmark protocol v2: the non-dominated candidates under (predicted ↑, costs ↓), exact ties
 * collapsed to the lowest key, then capped at `cap` by repeatedly removing the interior point of smallest
 * crowding distance (extremes kept; ties in distance remove the higher key first). With one cost the distance
 * is (c[i+1] − c[i−1]) / Lr + (p[i+1] − p[i−1]) / Pr over the latency-sorted front, ranges fixed by the
 * extremes; with more costs it is NSGA-II's crowding over all objectives, recomputed after each removal.
 */
export function reportedFront(cands: readonly FrontCandidate[], cap = FRONT_CAP): ReportedFront {
  const vec = cands.map((c) => [-c.predicted, ...c.costs]);
  const nd = nonDominated(vec);
  const byVec = new Map<string, number>();
  for (const i of nd) {
    const k = vec[i]!.join(',');
    const j = byVec.get(k);
    if (j === undefined || cands[i]!.key < cands[j]!.key) byVec.set(k, i);
  }
  let f = [...byVec.values()].sort(
    (a, b) => cands[a]!.costs[0]! - cands[b]!.costs[0]! || cands[b]!.predicted - cands[a]!.predicted,
  );
  const uncapped = f.length;
  if (f.length > cap) f = vec[0]!.length === 2 ? capSweep2d(cands, f, cap) : capCrowding(vec, cands, f, cap);
  return { members: f, uncapped };
}

function capSweep2d(cands: readonly FrontCandidate[], sorted: number[], cap: number): number[] {
  const n = sorted.length;
  const lat = sorted.map((i) => cands[i]!.costs[0]!);
  const pred = sorted.map((i) => cands[i]!.predicted);
  const key = sorted.map((i) => cands[i]!.key);
  const lr = lat[n - 1]! - lat[0]!;
  const pr = Math.max(...pred) - Math.min(...pred);
  const prev = Int32Array.from({ length: n }, (_, i) => i - 1);
  const next = Int32Array.from({ length: n }, (_, i) => i + 1);
  const alive = new Uint8Array(n).fill(1);
  const dist = new Float64Array(n).fill(Infinity);
  const d = (i: number): number => {
    const a = prev[i]!;
    const b = next[i]!;
    return (lr > 0 ? (lat[b]! - lat[a]!) / lr : 0) + (pr > 0 ? (pred[b]! - pred[a]!) / pr : 0);
  };
  for (let i = 1; i < n - 1; i++) dist[i] = d(i);
  for (let size = n; size > cap; size--) {
    let worst = -1;
    for (let i = 1; i < n - 1; i++) {
      if (!alive[i]) continue;
      if (worst < 0 || dist[i]! < dist[worst]! || (dist[i] === dist[worst] && key[i]! > key[worst]!))
        worst = i;
    }
    alive[worst] = 0;
    const a = prev[worst]!;
    const b = next[worst]!;
    next[a] = b;
    prev[b] = a;
    if (a > 0) dist[a] = d(a);
    if (b < n - 1) dist[b] = d(b);
  }
  return sorted.filter((_, i) => alive[i]);
}

function capCrowding(
  vec: readonly Objectives[],
  cands: readonly FrontCandidate[],
  sorted: number[],
  cap: number,
): number[] {
  let f = [...sorted];
  while (f.length > cap) {
    const cd = crowdingDistance(vec, f);
    let worst = -1;
    for (const i of f) {
      const v = cd.get(i)!;
      if (v === Infinity) continue;
      if (worst < 0 || v < cd.get(worst)! || (v === cd.get(worst) && cands[i]!.key > cands[worst]!.key))
        worst = i;
    }
    if (worst < 0) break; // every point is an extreme of some objective
    f = f.filter((i) => i !== worst);
  }
  return f;
}
