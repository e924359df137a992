// Builds a run's components (space, partition, evaluator, operator, objectives) from its RunConfig, so the CLI,
// the benchmark and the extension all assemble runs the same way. New spaces and operators register here.

import type { Evaluator } from './evaluator.js';
import { BuiltinOperator, type Operator } from './operator.js';
import { singleNiche, type Partition } from './partition.js';
import type { RunConfig } from './runstore.js';
import type { SearchSpace } from './space.js';
import { nb201Space } from './nb201/space.js';
import { nb201Partition } from './nb201/partition.js';
import { Nb201TableEvaluator, tablePredictorNames } from './nb201/evaluator.js';
import { HW_DEVICES, HW_METRICS, NB201_DATASETS, type HwMetric, type Nb201Dataset } from './nb201/table.js';
import { scoreSearch, type Nb201Task } from './nb201/benchmark.js';
import type { FrontScore } from './metrics.js';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export interface RunParts<A = unknown> {
  space: SearchSpace<A>;
  partition: Partition<A>;
  evaluator: Evaluator<A>;
  operator: Operator<A>;
  costMetrics: string[];
  /** Scores a front (by member specs) against the benchmark's true front, when the space has one. */
  scoreTruth?: (specs: readonly Record<string, unknown>[], evaluatedSpecs: readonly Record<string, unknown>[]) => FrontScore;
}

export type OperatorFactory = (config: RunConfig, space: SearchSpace<unknown>) => Operator<unknown>;
const operatorFactories = new Map<string, OperatorFactory>([['builtin', () => new BuiltinOperator()]]);

export function registerOperator(id: string, factory: OperatorFactory): void {
  operatorFactories.set(id, factory);
}

export const SPACES = ['nb201'] as const;
export const METRICS = ['latency', 'energy'] as const;

/** Valid values for each choice, for error messages and pickers. */
export function choices(space = 'nb201'): { spaces: string[]; datasets: string[]; devices: string[]; operators: string[]; predictors: (ds: string) => string[] } {
  if (space !== 'nb201') throw new ConfigError(`unknown space "${space}"; valid: ${SPACES.join(', ')}`);
  return {
    spaces: [...SPACES],
    datasets: [...NB201_DATASETS],
    devices: [...HW_DEVICES],
    operators: [...operatorFactories.keys()],
    predictors: (ds: string) => tablePredictorNames(ds as Nb201Dataset),
  };
}

export function costMetricsOf(devices: readonly string[], metric: string): string[] {
  return devices.map((d) => `${d}_${metric}`);
}

/** Checks a config's choices, throwing ConfigError listing the valid values. */
export function checkConfig(c: RunConfig): void {
  const ch = choices(c.space);
  if (!ch.datasets.includes(c.dataset)) throw new ConfigError(`unknown dataset "${c.dataset}"; valid: ${ch.datasets.join(', ')}`);
  if (c.devices.length === 0) throw new ConfigError(`no device given; valid: ${ch.devices.join(', ')}`);
  for (const d of c.devices) if (!ch.devices.includes(d)) throw new ConfigError(`unknown device "${d}"; valid: ${ch.devices.join(', ')}`);
  if (!(METRICS as readonly string[]).includes(c.metric)) throw new ConfigError(`unknown metric "${c.metric}"; valid: ${METRICS.join(', ')}`);
  for (const m of c.costMetrics)
    if (!(HW_METRICS as readonly string[]).includes(m))
      throw new ConfigError(`HW-NAS-Bench has no "${m}" (energy exists for edgegpu, eyeriss, fpga); valid: ${HW_METRICS.join(', ')}`);
  if (!operatorFactories.has(c.operator)) throw new ConfigError(`unknown operator "${c.operator}"; valid: ${[...operatorFactories.keys()].join(', ')}`);
  const preds = ch.predictors(c.dataset);
  if (!preds.includes(c.predictor)) throw new ConfigError(`unknown predictor "${c.predictor}"; valid: ${preds.join(', ')}`);
  if (!(c.generations >= 1)) throw new ConfigError(`generations must be ≥ 1, got ${c.generations}`);
  if (!(c.budget >= 1)) throw new ConfigError(`budget must be ≥ 1, got ${c.budget}`);
}

export function buildRun(c: RunConfig): RunParts {
  checkConfig(c);
  const ds = c.dataset as Nb201Dataset;
  const metrics = c.costMetrics as HwMetric[];
  const evaluator = new Nb201TableEvaluator({ dataset: ds, predictor: c.predictor, required: metrics });
  const task: Nb201Task = { id: `${ds}/${metrics.join('+')}`, dataset: ds, metrics };
  const space = nb201Space as SearchSpace<unknown>;
  const indexOf = (s: Record<string, unknown>): number => nb201Space.index(nb201Space.parse(s));
  return {
    space,
    partition: (c.partition ? nb201Partition() : singleNiche()) as Partition<unknown>,
    evaluator: evaluator as Evaluator<unknown>,
    operator: operatorFactories.get(c.operator)!(c, space),
    costMetrics: metrics,
    scoreTruth: (_front, evaluated) => {
      const idx = evaluated.map(indexOf);
      const pred = new Float64Array(15625);
      for (const s of evaluated) pred[indexOf(s)] = evaluator.evaluateIndex(indexOf(s)).predictedAccuracy;
      return scoreSearch(task, idx, pred);
    },
  };
}
