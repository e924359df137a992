// A user-defined space as a run provider. The run config carries the whole definition
// (spaceOptions.definition), so a run folder is self-contained and resumes without the original file; the
// provider for "user:<id>" is built from it when the config is checked. Accuracy comes from the external
// evaluator (the definition's command, or --external-evaluator), or a feature ("feature:<name>") for dry runs;
// hardware metrics from the command or the definition's cost model.

import type { Evaluation, Evaluator } from '../evaluator.js';
import { externalEvaluatorFor } from '../external/provider.js';
import { featurePartition } from '../partition.js';
import type { Partition } from '../partition.js';
import { ConfigError } from '../errors.js';
import { type SpaceProvider } from '../provider.js';
import type { RunConfig } from '../runstore.js';
import type { SearchSpace } from '../space.js';
import { buildUserSpace, parseDefinition, type UserSpace, type UserSpaceDefinition } from './definition.js';
import type { SlotArch } from '../slots.js';

class FeatureEvaluator implements Evaluator<SlotArch> {
  readonly id: string;
  readonly predictor;
  constructor(
    private readonly space: UserSpace,
    private readonly feature: string,
    readonly metrics: readonly string[],
  ) {
    this.id = `feature-${feature}`;
    this.predictor = {
      id: `feature:${feature}`,
      unit: `the space's "${feature}" feature (no measurement)`,
      labels: 0,
    };
  }

  /** The space file's cost model: a formula, free to compute. */
  knownCosts(arch: SlotArch): Record<string, number> {
    return this.space.cost(arch);
  }

  evaluate(arch: SlotArch): Promise<Evaluation> {
    const f = this.space.features(arch);
    const cost = this.space.cost(arch);
    const hw: Record<string, number> = {};
    for (const m of this.metrics) {
      if (cost[m] === undefined)
        throw new Error(`no cost model for ${m}; add it to costModel or use an external evaluator`);
      hw[m] = cost[m];
    }
    return Promise.resolve({ predictedAccuracy: f[this.feature]!, proxies: f, hw });
  }
}

export function userProviderOf(def: UserSpaceDefinition): SpaceProvider {
  const space = buildUserSpace(def);
  const devices = def.devices ?? ['device'];
  const features = Object.keys(def.features ?? {});
  return {
    id: space.id,
    label: space.label,
    datasets: def.datasets ?? ['default'],
    devices,
    metrics: ['latency', 'energy'],
    hwMetrics: devices.flatMap((d) => [`${d}_latency`, `${d}_energy`]),
    predictors: () => ['external', ...features.map((f) => `feature:${f}`)],
    defaults: {
      dataset: (def.datasets ?? ['default'])[0]!,
      devices: [devices[0]!],
      metric: 'latency',
      predictor: 'external',
    },
    build(c: RunConfig, env = {}) {
      const hw = (a: SlotArch): Promise<Record<string, number>> => Promise.resolve(space.cost(a));
      const cfg: RunConfig =
        c.spaceOptions?.['externalEvaluator'] === undefined && def.evaluator
          ? { ...c, spaceOptions: { ...c.spaceOptions, externalEvaluator: def.evaluator } }
          : c;
      if (c.predictor !== 'external')
        for (const m of c.costMetrics)
          if (!(m in (def.costModel ?? {})))
            throw new ConfigError(
              `space ${def.id} has no cost model for ${m}: add it to the space file's costModel, or use an external evaluator (predictor "external")`,
            );
      const evaluator: Evaluator<SlotArch> =
        c.predictor === 'external'
          ? externalEvaluatorFor(space, cfg, hw, Object.keys(def.costModel ?? {}), env)
          : new FeatureEvaluator(space, c.predictor.slice('feature:'.length), c.costMetrics);
      const dflt = def.partition
        ? { feature: def.partition.feature, niches: def.partition.niches ?? 3 }
        : { feature: features[0] ?? '', niches: 1 };
      const partition = featurePartition(space, dflt.feature ? c : { ...c, partition: false }, dflt);
      return {
        space: space as SearchSpace<unknown>,
        partition: partition as Partition<unknown>,
        evaluator: evaluator as Evaluator<unknown>,
        costMetrics: c.costMetrics,
      };
    },
  };
}

/** The provider a config names when it is a user-defined space carrying its definition; else undefined. */
export function userSpaceProvider(c: Pick<RunConfig, 'space' | 'spaceOptions'>): SpaceProvider | undefined {
  if (!c.space.startsWith('user:')) return undefined;
  const def = c.spaceOptions?.['definition'];
  if (def === undefined) return undefined;
  return userProviderOf(parseDefinition(def));
}
