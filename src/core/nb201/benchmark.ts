// The benchmark tasks of ../shared/BENCHMARK.md on NAS-Bench-201: 3 datasets × 6 devices, objectives
// (min test error, min latency); true Pareto fronts computed from the bundled table, and scoring of a
// searcher's reported front with TRUE accuracy and latency.

import { nonDominated } from '../pareto.js';
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

/**
 * Protocol scoring: the reported front is the set of evaluated indices non-dominated under the searcher's
 * view (predicted score ↑, costs ↓); it is then scored with true error and cost against the true front.
 */
export function scoreSearch(
  task: Nb201Task,
  evaluated: readonly number[],
  predicted: ArrayLike<number>,
): FrontScore & { front: number[] } {
  const t = loadNb201Table();
  const view = evaluated.map((i) => [-predicted[i]!, ...task.metrics.map((m) => t.hw(task.dataset, m)[i]!)]);
  const front = nonDominated(view).map((k) => evaluated[k]!);
  const truth = trueFrontIndices(task).map((i) => trueObjectives(task, i));
  const found = front.map((i) => trueObjectives(task, i));
  return { ...scoreFront(truth, found), front };
}
