// Builds a DashboardModel for a run folder: niches and predictor from the run's space provider, the benchmark's
// true fronts and scoring when the space has ground truth, and the folder's events replayed. No `vscode` here.

import type { EvaluatedRecord } from '../core/events.js';
import { trueFrontIndices, trueObjectives } from '../core/nb201/benchmark.js';
import type { HwMetric, Nb201Dataset } from '../core/nb201/table.js';
import { spaceProvider } from '../core/registry.js';
import { RunStore, type RunConfig } from '../core/runstore.js';
import type { TrueFront } from '../protocol.js';
import { DashboardModel, type ModelEvent, type RunTruth } from './model.js';

/** The benchmark's true 2-D front (cost, test accuracy %) per cost metric, for spaces that have one. */
export function trueFrontsOf(config: RunConfig): TrueFront[] {
  if (config.space !== 'nb201') return [];
  return config.costMetrics.map((metric) => {
    const task = {
      id: `${config.dataset}/${metric}`,
      dataset: config.dataset as Nb201Dataset,
      metrics: [metric as HwMetric],
    };
    const points = trueFrontIndices(task)
      .map((i) => trueObjectives(task, i))
      .map(([err, cost]) => [cost!, 100 - err!] as [number, number])
      .sort((a, b) => a[0] - b[0]);
    return { metric, points };
  });
}

export function newModel(config: RunConfig, dir: string, live: boolean): DashboardModel {
  const parts = spaceProvider(config.space).build(config);
  const scoreTruth = parts.scoreTruth;
  const truth: RunTruth | undefined = scoreTruth
    ? {
        trueFronts: trueFrontsOf(config),
        score: (records: readonly EvaluatedRecord[]) =>
          scoreTruth(records as unknown as Record<string, unknown>[]),
      }
    : undefined;
  const niches = parts.partition.niches.map((n) => ({ id: n.id, name: n.name, constraint: n.constraint }));
  return new DashboardModel(config, dir, niches, parts.evaluator.predictor.unit, truth, { live });
}

/** A model of a run folder as it is on disk (not running in this window). */
export function modelFromFolder(dir: string): DashboardModel {
  const store = RunStore.open(dir);
  const model = newModel(store.readConfig(), store.dir, false);
  for (const e of store.readEvents()) model.apply(e as ModelEvent);
  return model;
}
