// NAS-Bench-201 as a run provider: datasets, HW-NAS-Bench devices, predictors (published-proxy table
// predictors, plus any registered live evaluator), the paper's niches, and true-front scoring.

import type { Evaluator } from '../evaluator.js';
import { externalEvaluatorFor } from '../external/provider.js';
import { singleNiche, type Partition } from '../partition.js';
import type { SpaceProvider } from '../provider.js';
import { standardHwUnits } from '../units.js';
import type { RunConfig } from '../runstore.js';
import type { SearchSpace } from '../space.js';
import { scoreSearch, type Nb201Task } from './benchmark.js';
import { Nb201TableEvaluator, tablePredictorNames } from './evaluator.js';
import { nb201Partition, nb201PartitionMode } from './partition.js';
import {
  LOCAL_DEVICE,
  LOCAL_LATENCY,
  splitLocal,
  targetOfArch,
  withLocalLatency,
} from '../modelexport/local-latency.js';
import { nb201Space, type Nb201Arch } from './space.js';
import {
  HW_DEVICES,
  HW_METRICS,
  loadNb201Table,
  NB201_DATASETS,
  type HwMetric,
  type Nb201Dataset,
} from './table.js';

/** Evaluators other than the published-proxy table (e.g. the live zero-cost evaluator), by predictor id. */
export type Nb201EvaluatorFactory = (opts: {
  dataset: Nb201Dataset;
  metrics: HwMetric[];
  config: RunConfig;
}) => Evaluator<Nb201Arch>;
const extraEvaluators = new Map<string, Nb201EvaluatorFactory>();

export function registerNb201Evaluator(predictor: string, factory: Nb201EvaluatorFactory): void {
  extraEvaluators.set(predictor, factory);
}

export const nb201Provider: SpaceProvider = {
  id: 'nb201',
  label: nb201Space.label,
  datasets: NB201_DATASETS,
  devices: [...HW_DEVICES, LOCAL_DEVICE],
  metrics: ['latency', 'energy'],
  hwMetrics: [...HW_METRICS, LOCAL_LATENCY],
  hwUnits: standardHwUnits([...HW_METRICS, LOCAL_LATENCY]),
  predictors: (ds) => [...tablePredictorNames(ds as Nb201Dataset), ...extraEvaluators.keys(), 'external'],
  defaults: { dataset: 'cifar10', devices: ['edgegpu'], metric: 'latency', predictor: 'rank-avg' },
  build(c) {
    const dataset = c.dataset as Nb201Dataset;
    const metrics = c.costMetrics as HwMetric[];
    // --device local: CPU latency measured here on top of the table metrics (no true front for it)
    const { table, local } = splitLocal<HwMetric>(metrics);
    const extra = extraEvaluators.get(c.predictor);
    // an external evaluator command reports accuracy (and may report costs); the benchmark's table fills the rest
    const tableHw = (a: Nb201Arch): Promise<Record<string, number>> => {
      const i = nb201Space.index(a);
      const t = loadNb201Table();
      return Promise.resolve(Object.fromEntries(table.map((m) => [m, t.hw(dataset, m)[i]!])));
    };
    const base: Evaluator<Nb201Arch> =
      c.predictor === 'external'
        ? externalEvaluatorFor(nb201Space, c, tableHw, table)
        : extra
          ? extra({ dataset, metrics: table, config: c })
          : new Nb201TableEvaluator({ dataset, predictor: c.predictor, required: table });
    const evaluator = local
      ? withLocalLatency(base, (a) => targetOfArch(nb201Space, 'nb201', dataset, a))
      : base;
    const task: Nb201Task = { id: `${dataset}/${metrics.join('+')}`, dataset, metrics };
    const parts: ReturnType<SpaceProvider['build']> = {
      space: nb201Space as SearchSpace<unknown>,
      partition: (c.partition
        ? nb201Partition(nb201PartitionMode(c.spaceOptions?.['partition']))
        : singleNiche()) as Partition<unknown>,
      evaluator: evaluator as Evaluator<unknown>,
      costMetrics: metrics,
      // Protocol scoring: the reported front is non-dominated under the run's own predicted accuracy.
      scoreTruth: (evaluated) => {
        const idx: number[] = [];
        const pred = new Float64Array(nb201Space.size);
        for (const s of evaluated) {
          const i = nb201Space.index(nb201Space.parse(s['spec']));
          idx.push(i);
          pred[i] = (s['evaluation'] as { predictedAccuracy: number }).predictedAccuracy;
        }
        return scoreSearch(task, idx, pred);
      },
    };
    if (local) delete parts.scoreTruth; // the benchmark has no true front for a latency measured here
    return parts;
  },
};
