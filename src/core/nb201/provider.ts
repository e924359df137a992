// NAS-Bench-201 as a run provider: datasets, HW-NAS-Bench devices, predictors (published-proxy table
// predictors, the live evaluator, an external command), the paper's niches, and true-front scoring.

import type { Evaluator } from '../evaluator.js';
import { ConfigError } from '../errors.js';
import { externalEvaluatorFor } from '../external/provider.js';
import { singleNiche, type Partition } from '../partition.js';
import type { SpaceProvider } from '../provider.js';
import { standardHwUnits } from '../units.js';
import type { RunConfig } from '../runstore.js';
import type { SearchSpace } from '../space.js';
import { scoreSearch, type Nb201Task } from './benchmark.js';
import { Nb201TableEvaluator, tablePredictorNames } from './evaluator.js';
import { nb201Partition, nb201PartitionMode } from './partition.js';
import type { HostEnv } from '../env.js';
import { defaultCacheFile, ScoreCache } from '../engine/cache.js';
import { livePool } from '../engine/pool.js';
import { LOCAL_DEVICE, LOCAL_LATENCY, targetOfArch, withLocalDevice } from '../modelexport/local-latency.js';
import { nb201Exporter } from './export.js';
import { LiveNb201Evaluator } from './live-evaluator.js';
import { LIVE_RULE_NAMES, type LiveRule } from './live-ensemble.js';
import { nb201Space, type Nb201Arch } from './space.js';
import { nb201TrueFronts } from './true-front.js';
import {
  HW_DEVICES,
  HW_METRICS,
  loadNb201Table,
  NB201_DATASETS,
  type HwMetric,
  type Nb201Dataset,
} from './table.js';

/** The live zero-cost evaluator (predictor `live`): real networks scored on the host's worker pool. */
function liveEvaluator(
  dataset: Nb201Dataset,
  metrics: HwMetric[],
  config: RunConfig,
  env: HostEnv,
): Evaluator<Nb201Arch> {
  // run setting spaceOptions.liveRepeats: weight seeds averaged per cell (default 1)
  const r = config.spaceOptions?.['liveRepeats'];
  // run setting spaceOptions.liveRule: the label-free rule (`ensemble`, the default, or `az-nas`)
  const rule = config.spaceOptions?.['liveRule'];
  if (rule !== undefined && !LIVE_RULE_NAMES.includes(rule as LiveRule))
    throw new ConfigError(
      `spaceOptions.liveRule: unknown rule ${JSON.stringify(rule)}; valid: ${LIVE_RULE_NAMES.join(', ')}`,
    );
  return new LiveNb201Evaluator({
    dataset,
    metrics,
    required: metrics,
    pool: livePool(env.cacheDir),
    cache: new ScoreCache(defaultCacheFile(env.cacheDir)),
    ...(typeof r === 'number' && r > 1 ? { repeats: Math.floor(r) } : {}),
    ...(rule !== undefined ? { rule: rule as LiveRule } : {}),
  });
}

export const nb201Provider: SpaceProvider = {
  id: 'nb201',
  label: nb201Space.label,
  datasets: NB201_DATASETS,
  devices: [...HW_DEVICES, LOCAL_DEVICE],
  metrics: ['latency', 'energy'],
  hwMetrics: [...HW_METRICS, LOCAL_LATENCY],
  hwUnits: standardHwUnits([...HW_METRICS, LOCAL_LATENCY]),
  predictors: (ds) => [...tablePredictorNames(ds as Nb201Dataset), 'live', 'external'],
  defaults: { dataset: 'cifar10', devices: ['edgegpu'], metric: 'latency', predictor: 'rank-avg' },
  trueFronts: nb201TrueFronts,
  exporter: nb201Exporter,
  build(c, env = {}) {
    const dataset = c.dataset as Nb201Dataset;
    const metrics = c.costMetrics as HwMetric[];
    // --device local: CPU latency measured here on top of the table metrics (no true front for it)
    const { evaluator, local } = withLocalDevice<Nb201Arch>(
      metrics,
      (tableMetrics) => {
        const table = tableMetrics as HwMetric[];
        // an external evaluator command reports accuracy (and may report costs); the benchmark's table fills the rest
        const tableHw = (a: Nb201Arch): Promise<Record<string, number>> => {
          const i = nb201Space.index(a);
          const t = loadNb201Table();
          return Promise.resolve(Object.fromEntries(table.map((m) => [m, t.hw(dataset, m)[i]!])));
        };
        if (c.predictor === 'external') return externalEvaluatorFor(nb201Space, c, tableHw, table, env);
        if (c.predictor === 'live') return liveEvaluator(dataset, table, c, env);
        return new Nb201TableEvaluator({ dataset, predictor: c.predictor, required: table });
      },
      (a) => targetOfArch(nb201Exporter, nb201Space, 'nb201', dataset, a),
    );
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
