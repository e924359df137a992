// Pareto machinery and front-quality metrics against hand-computed values.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  boundsOf,
  hypervolume2d,
  hypervolume3d,
  igd,
  latencyCoverage,
  normalise,
  scoreFront,
} from '../../src/core/metrics';
import {
  crowdingDistance,
  dominates,
  nonDominated,
  nonDominatedSort,
  FRONT_CAP,
  reportedFront,
  selectNsga2,
} from '../../src/core/pareto';
import { fractionalRanks, rankAverage, spearman } from '../../src/core/predictor';

const close = (a: number, b: number, tol = 1e-12): void => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test('dominance and non-dominated sets keep exact ties', () => {
  assert.ok(dominates([1, 2], [1, 3]));
  assert.ok(!dominates([1, 2], [1, 2]));
  assert.ok(!dominates([1, 3], [2, 2]));
  const pts = [
    [1, 5],
    [2, 3],
    [2, 3],
    [3, 4],
    [4, 1],
    [5, 1],
    [1, 6],
  ];
  assert.deepEqual(nonDominated(pts), [0, 1, 2, 4]);
  // the O(n²) path for 3 objectives agrees with a brute-force definition
  const p3 = [
    [1, 2, 3],
    [2, 1, 3],
    [2, 2, 2],
    [3, 3, 3],
    [1, 2, 3],
  ];
  assert.deepEqual(nonDominated(p3), [0, 1, 2, 4]);
});

test('non-dominated sort, crowding and NSGA-II selection', () => {
  const pts = [
    [1, 5],
    [2, 3],
    [4, 1],
    [2, 5],
    [3, 4],
    [5, 5],
  ];
  assert.deepEqual(nonDominatedSort(pts), [[0, 1, 2], [3, 4], [5]]);
  const cd = crowdingDistance(pts, [0, 1, 2]);
  assert.equal(cd.get(0), Infinity);
  assert.equal(cd.get(2), Infinity);
  close(cd.get(1)!, (4 - 1) / 3 + (5 - 1) / 4);
  // whole first front, then the second front's member by crowding (both infinite: lower index first)
  assert.deepEqual(selectNsga2(pts, 4), [0, 1, 2, 3]);
  assert.deepEqual(selectNsga2(pts, 2).sort(), [0, 2]);
});

test('2-D hypervolume of a hand-computed front', () => {
  // front (0.2,0.8) (0.5,0.4) (0.9,0.1), ref (1.1,1.1):
  // slabs: (1.1-0.2)*(1.1-0.8)=0.27, (1.1-0.5)*(0.8-0.4)=0.24, (1.1-0.9)*(0.4-0.1)=0.06 → 0.57
  close(
    hypervolume2d(
      [
        [0.2, 0.8],
        [0.5, 0.4],
        [0.9, 0.1],
      ],
      [1.1, 1.1],
    ),
    0.57,
  );
  // dominated and out-of-reference points add nothing; duplicates count once
  close(
    hypervolume2d(
      [
        [0.2, 0.8],
        [0.5, 0.4],
        [0.9, 0.1],
        [0.6, 0.9],
        [1.2, 0.0],
        [0.5, 0.4],
      ],
      [1.1, 1.1],
    ),
    0.57,
  );
  close(hypervolume2d([[1.1, 0.0]], [1.1, 1.1]), 0);
  close(hypervolume2d([], [1.1, 1.1]), 0);
});

test('3-D hypervolume of hand-computed sets', () => {
  close(hypervolume3d([[0, 0, 0]], [1, 1, 1]), 1);
  // two boxes [0.5,1]x[0,1]x[0,1] ∪ [0,1]x[0.5,1]x[0.5,1]: 0.5 + 0.25 - 0.125 = 0.625
  close(
    hypervolume3d(
      [
        [0.5, 0, 0],
        [0, 0.5, 0.5],
      ],
      [1, 1, 1],
    ),
    0.625,
  );
  // inclusion-exclusion for three points
  const pts = [
    [0.2, 0.6, 0.4],
    [0.6, 0.2, 0.5],
    [0.4, 0.4, 0.1],
  ];
  const vol = (p: number[]): number => p.reduce((a, v) => a * (1 - v), 1);
  const meet = (...ps: number[][]): number[] => ps[0]!.map((_, k) => Math.max(...ps.map((p) => p[k]!)));
  const expect =
    vol(pts[0]!) +
    vol(pts[1]!) +
    vol(pts[2]!) -
    vol(meet(pts[0]!, pts[1]!)) -
    vol(meet(pts[0]!, pts[2]!)) -
    vol(meet(pts[1]!, pts[2]!)) +
    vol(meet(pts[0]!, pts[1]!, pts[2]!));
  close(hypervolume3d(pts, [1, 1, 1]), expect, 1e-12);
});

test('IGD, normalisation and latency coverage', () => {
  const truth = [
    [0, 1],
    [1, 0],
  ];
  close(igd(truth, truth), 0);
  close(igd(truth, [[0, 0]]), 1);
  assert.equal(igd(truth, []), Infinity);
  const b = boundsOf([
    [10, 2],
    [20, 1],
    [15, 4],
  ]);
  assert.deepEqual(b, { ideal: [10, 1], nadir: [20, 4] });
  assert.deepEqual(normalise([[15, 2.5]], b), [[0.5, 0.5]]);
  // true front latencies 0..9 fill all 10 bins; found covers bins 0 and 9 only
  const tf = Array.from({ length: 10 }, (_, i) => [9 - i, i]);
  close(
    latencyCoverage(tf, [
      [9, 0],
      [0, 9],
    ]),
    0.2,
  );
  close(latencyCoverage(tf, tf), 1);
});

test('scoreFront: the true front scores HV ratio 1 and IGD 0; a subset scores less', () => {
  const tf = [
    [5, 10],
    [6, 8],
    [8, 5],
    [10, 2],
  ];
  const s = scoreFront(tf, tf);
  close(s.hvRatio, 1);
  close(s.igd, 0);
  const sub = scoreFront(tf, [
    [5, 10],
    [10, 2],
  ]);
  assert.ok(sub.hvRatio < 1 && sub.hvRatio > 0);
  assert.ok(sub.igd > 0);
});

test('fractional ranks share ties; rank average; Spearman', () => {
  assert.deepEqual([...fractionalRanks([10, 20, 20, 5])], [2, 3.5, 3.5, 1]);
  assert.deepEqual([...fractionalRanks([NaN, 1])], [1, 2]);
  const r = rankAverage([
    [1, 2, 3],
    [3, 2, 1],
  ]);
  assert.deepEqual(
    [...r].map((x) => x.toFixed(4)),
    ['0.6667', '0.6667', '0.6667'],
  );
  close(spearman([1, 2, 3, 4], [10, 20, 30, 40]), 1);
  close(spearman([1, 2, 3, 4], [4, 3, 2, 1]), -1);
});

test('3-objective non-dominated set equals the brute-force definition on random points with ties', () => {
  let seed = 12345;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pts = Array.from({ length: 400 }, () => [
    Math.floor(rnd() * 20),
    Math.floor(rnd() * 20),
    Math.floor(rnd() * 20),
  ]);
  const brute = pts.map((_, i) => i).filter((i) => !pts.some((q, j) => j !== i && dominates(q, pts[i]!)));
  assert.deepEqual(nonDominated(pts), brute);
});

test('protocol v2 reported front: exact ties collapse to the lowest key, the cap removes the least crowded', () => {
  const c = (predicted: number, lat: number, key: number) => ({ predicted, costs: [lat], key });
  // B' ties B exactly (higher key: dropped); E is dominated by B
  const cands = [c(0.1, 1, 0), c(0.2, 2, 1), c(0.3, 3, 2), c(0.9, 10, 3), c(0.2, 2, 5), c(0.15, 5, 4)];
  assert.deepEqual(reportedFront(cands, 10), { members: [0, 1, 2, 3], uncapped: 4 });
  // cap 3: crowding of B = 2/9 + 0.2/0.8 = 0.472, of C = 8/9 + 0.7/0.8 = 1.764 → B goes
  assert.deepEqual(reportedFront(cands, 3), { members: [0, 2, 3], uncapped: 4 });
  // equal crowding (4/3 each): the higher key goes first
  const sym = [c(0, 0, 0), c(1, 1, 7), c(2, 2, 3), c(3, 3, 1)];
  assert.deepEqual(reportedFront(sym, 3).members, [0, 2, 3]);
  const sym2 = [c(0, 0, 0), c(1, 1, 2), c(2, 2, 9), c(3, 3, 1)];
  assert.deepEqual(reportedFront(sym2, 3).members, [0, 1, 3]);
  // neighbours are recomputed after each removal: cap 2 keeps only the extremes
  assert.deepEqual(reportedFront(cands, 2).members, [0, 3]);
  assert.equal(FRONT_CAP, 24);
  // three objectives: NSGA-II crowding over all objectives; extremes survive
  const three = [0, 1, 2, 3, 4].map((k) => ({
    predicted: k,
    costs: [k, 4 - k + (k === 2 ? 0.1 : 0)],
    key: k,
  }));
  const r3 = reportedFront(three, 4);
  assert.equal(r3.members.length, 4);
  assert.ok(r3.members.includes(0) && r3.members.includes(4));
});
