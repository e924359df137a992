// The space-provider contract: what a search space contributes to a run (its datasets, devices, metrics and
// predictors, the space-specific parts it builds from a RunConfig, and the exporter of its networks), and what
// an operator factory is. The registry (registry.ts) holds the providers and factories the composition root
// (compose.ts) passes in.

import type { HostEnv } from './env.js';
import type { Evaluator } from './evaluator.js';
import type { FrontScore } from './metrics.js';
import type { SpaceExporter } from './modelexport/contract.js';
import type { Operator } from './operator.js';
import type { Partition } from './partition.js';
import type { RunConfig } from './runstore.js';
import type { SearchSpace } from './space.js';

/** A benchmark's true 2-D front for one cost metric: [cost, test accuracy %] sorted by cost. */
export interface TrueFront {
  metric: string;
  points: [number, number][];
}

export interface RunParts<A = unknown> {
  space: SearchSpace<A>;
  partition: Partition<A>;
  evaluator: Evaluator<A>;
  operator: Operator<A>;
  costMetrics: string[];
  /** Scores the run against the benchmark's true front, when the space has one (from every evaluated spec). */
  scoreTruth?: (evaluatedSpecs: readonly Record<string, unknown>[]) => FrontScore;
}

export interface SpaceProvider {
  id: string;
  label: string;
  datasets: readonly string[];
  devices: readonly string[];
  metrics: readonly string[];
  /** Every hardware metric name this space can report (validates config.costMetrics). */
  hwMetrics: readonly string[];
  /** The unit of each hardware metric (written next to `hw` in every spec, and in CSV headers); none if absent. */
  hwUnits?: Readonly<Record<string, string>>;
  predictors(dataset: string): string[];
  defaults: { dataset: string; devices: string[]; metric: string; predictor: string };
  /** The benchmark's true 2-D fronts of a run's cost metrics, for spaces that have one (the dashboard's plot). */
  trueFronts?(config: RunConfig): TrueFront[];
  build(config: RunConfig, env?: HostEnv): Omit<RunParts, 'operator'>;
  /** How the space's networks are taken home (PyTorch source, ONNX model), for spaces whose networks it builds. */
  exporter?: SpaceExporter;
}

export type OperatorFactory = (
  config: RunConfig,
  space: SearchSpace<unknown>,
  /** The run's other parts (an operator may explain the predictor's scale and the niches in its prompts). */
  parts?: Omit<RunParts, 'operator'>,
  /** What the host passes in (log sinks, the API key resolver, the cache folder). */
  env?: HostEnv,
) => Operator<unknown>;
