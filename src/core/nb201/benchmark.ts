// The benchmark tasks of docs/benchmark.md on NAS-Bench-201: 3 datasets × 6 devices, objectives
// (min test error, min latency); true Pareto fronts computed from the bundled table, and scoring of a
// searcher's reported front with TRUE accuracy and latency.

import { nonDominated, reportedFront } from '../pareto.js';
import { scoreFront, type FrontScore } from '../metrics.js';
import { HW_DEVICES, loadNb201Table, NB201_DATASETS, type HwMetric, type Nb201Dataset } from './table.js';

export interface Nb201Task {
  id: string; // e.g. "cifar10/edgegpu"
  dataset: Nb201Dataset;
  /** Cost metrics (minimised), e.g. ["edgegpu_latency"]. */
  metrics: HwMetric[];
}

export function latencyTasks(): Nb201Task[] {
  const out: Nb201Task[] = [];
  for (const dataset of NB201_DATASETS)
    for (const d of HW_DEVICES)
      out.push({ id: `${dataset}/${d}`, dataset, metrics: [`${d}_latency` as HwMetric] });
  return out;
}

export function energyTasks(): Nb201Task[] {
  const out: Nb201Task[] = [];
  for (const dataset of NB201_DATASETS)
    for (const d of ['edgegpu', 'eyeriss', 'fpga'])
      out.push({ id: `${dataset}/${d}_energy`, dataset, metrics: [`${d}_energy` as HwMetric] });
  return out;
}

/** Three objectives (error, latency, energy) on the devices HW-NAS-Bench measured energy for. */
export function threeObjectiveTasks(): Nb201Task[] {
  const out: Nb201Task[] = [];
  for (const dataset of NB201_DATASETS)
    for (const d of ['edgegpu', 'eyeriss', 'fpga'])
      out.push({
        id: `${dataset}/${d}_latency+energy`,
        dataset,
        metrics: [`${d}_latency` as HwMetric, `${d}_energy` as HwMetric],
      });
  return out;
}

/** Indices of architectures in the task's space (those with every cost metric present). */
export function taskIndices(task: Nb201Task): number[] {
  const t = loadNb201Table();
  const cols = task.metrics.map((m) => t.hw(task.dataset, m));
  const out: number[] = [];
  for (let i = 0; i < t.n; i++) if (cols.every((c) => !Number.isNaN(c[i]!))) out.push(i);
  return out;
}

/**
 * True objective vector (−test accuracy, costs...) of an architecture index, all minimised. Negating the accuracy
 * is exact (100 − accuracy would round distinct accuracies into false ties); after the protocol's min-max
 * normalisation it is the same objective as test error.
 */
export function trueObjectives(task: Nb201Task, i: number): number[] {
  const t = loadNb201Table();
  return [-t.testAccuracy(task.dataset)[i]!, ...task.metrics.map((m) => t.hw(task.dataset, m)[i]!)];
}

const frontCache = new Map<string, number[]>();

/** Indices on the true Pareto front (ties all kept). */
export function trueFrontIndices(task: Nb201Task): number[] {
  const key = `${task.dataset}/${task.metrics.join(',')}`;
  let f = frontCache.get(key);
  if (!f) {
    const idx = taskIndices(task);
    const pts = idx.map((i) => trueObjectives(task, i));
    f = nonDominated(pts).map((k) => idx[k]!);
    frontCache.set(key, f);
  }
  return f;
}

/** Which protocol scores fronts here (docs/benchmark.md), as written into bench JSON and front.json. */
export const BENCHMARK_PROTOCOL = 'llm-nas-benchmark-v2 (= shared-benchmark-v2)';

export interface SearchScore extends FrontScore {
  protocol: string;
  /** The reported front (NB201 indices, latency ascending): rules 1–3 of protocol v2. */
  front: number[];
  /** |F| after the cap (≤ 24). */
  frontSize: number;
  /** Non-dominated size after collapsing exact ties, before the cap. */
  uncappedSize: number;
}

/**
 * Protocol v2 scoring: the reported front is the set of evaluated indices non-dominated under the searcher's
 * view (predicted score ↑, costs ↓), exact ties collapsed to the lowest index, capped at 24 by crowding
 * distance; it is then scored with true error and cost against the (uncapped) true front.
 */
export function scoreSearch(
  task: Nb201Task,
  evaluated: readonly number[],
  predicted: ArrayLike<number>,
): SearchScore {
  const t = loadNb201Table();
  const cols = task.metrics.map((m) => t.hw(task.dataset, m));
  const uniq = [...new Set(evaluated)];
  for (const i of uniq)
    if (!Number.isFinite(predicted[i]!))
      throw new Error(
        `protocol v2 rule 1: predicted accuracy of cell ${i} is ${predicted[i]} (must be finite)`,
      );
  const r = reportedFront(
    uniq.map((i) => ({ predicted: predicted[i]!, costs: cols.map((c) => c[i]!), key: i })),
  );
  const front = r.members.map((k) => uniq[k]!);
  const truth = trueFrontIndices(task).map((i) => trueObjectives(task, i));
  const found = front.map((i) => trueObjectives(task, i));
  return {
    ...scoreFront(truth, found),
    front,
    frontSize: front.length,
    uncappedSize: r.uncapped,
    protocol: BENCHMARK_PROTOCOL,
  };
}
