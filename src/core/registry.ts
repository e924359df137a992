// The registry of a process: the space providers and operator factories the composition root (compose.ts)
// passes in, and the host's environment. It checks a RunConfig against them and builds the run's parts
// (space, partition, evaluator, operator, objectives), so the CLI, the benchmark and the extension all assemble
// runs the same way. Nothing registers itself: a Registry holds exactly what it was given.

import type { HostEnv } from './env.js';
import { ConfigError } from './errors.js';
import type { OperatorFactory, RunParts, SpaceProvider } from './provider.js';
import type { RunConfig } from './runstore.js';

export interface RegistryParts {
  spaces: readonly SpaceProvider[];
  operators: Readonly<Record<string, OperatorFactory>>;
  /** What the host passes to every provider and operator it builds (log sinks, key resolver, cache folder). */
  env?: HostEnv;
  /**
   * The provider of a space that travels inside its run config (a user-defined space's definition in
   * spaceOptions), or undefined for a shipped space.
   */
  carriedSpace?: (c: Pick<RunConfig, 'space' | 'spaceOptions'>) => SpaceProvider | undefined;
}

export class Registry {
  readonly env: HostEnv;
  private readonly providers: ReadonlyMap<string, SpaceProvider>;
  private readonly operators: ReadonlyMap<string, OperatorFactory>;
  private readonly carriedSpace: RegistryParts['carriedSpace'];

  constructor(parts: RegistryParts) {
    this.providers = new Map(parts.spaces.map((p) => [p.id, p]));
    this.operators = new Map(Object.entries(parts.operators));
    this.env = parts.env ?? {};
    this.carriedSpace = parts.carriedSpace;
  }

  spaceIds(): string[] {
    return [...this.providers.keys()];
  }

  operatorIds(): string[] {
    return [...this.operators.keys()];
  }

  spaceProvider(id: string): SpaceProvider {
    const p = this.providers.get(id);
    if (!p) throw new ConfigError(`unknown space "${id}"; valid: ${this.spaceIds().join(', ')}`);
    return p;
  }

  /**
   * The provider of a run: a user-defined space travels inside its config (spaceOptions.definition), so its
   * provider is built from there; any other space by its id.
   */
  providerOf(c: Pick<RunConfig, 'space' | 'spaceOptions'>): SpaceProvider {
    return this.carriedSpace?.(c) ?? this.spaceProvider(c.space);
  }

  /** The units a run's space documents for its hardware metrics ({} when it documents none or is unknown). */
  hwUnitsOf(c: Pick<RunConfig, 'space' | 'spaceOptions'>): Record<string, string> {
    try {
      return { ...this.providerOf(c).hwUnits };
    } catch {
      return {};
    }
  }

  /** Checks a config's choices, throwing ConfigError listing the valid values. */
  checkConfig(c: RunConfig, p: SpaceProvider = this.providerOf(c)): void {
    const list = (xs: readonly string[]): string => xs.join(', ');
    if (!p.datasets.includes(c.dataset))
      throw new ConfigError(`unknown dataset "${c.dataset}"; valid: ${list(p.datasets)}`);
    if (c.devices.length === 0) throw new ConfigError(`no device given; valid: ${list(p.devices)}`);
    for (const d of c.devices)
      if (!p.devices.includes(d)) throw new ConfigError(`unknown device "${d}"; valid: ${list(p.devices)}`);
    if (!p.metrics.includes(c.metric))
      throw new ConfigError(`unknown metric "${c.metric}"; valid: ${list(p.metrics)}`);
    for (const m of c.costMetrics)
      if (!p.hwMetrics.includes(m))
        throw new ConfigError(`no hardware metric "${m}" in ${p.id}; valid: ${list(p.hwMetrics)}`);
    if (!this.operators.has(c.operator))
      throw new ConfigError(`unknown operator "${c.operator}"; valid: ${list(this.operatorIds())}`);
    const preds = p.predictors(c.dataset);
    if (!preds.includes(c.predictor))
      throw new ConfigError(`unknown predictor "${c.predictor}"; valid: ${list(preds)}`);
    if (!(c.generations >= 1)) throw new ConfigError(`generations must be ≥ 1, got ${c.generations}`);
    if (!(c.budget >= 1)) throw new ConfigError(`budget must be ≥ 1, got ${c.budget}`);
  }

  buildRun(c: RunConfig): RunParts {
    // a user-defined space's provider is built from its definition: once per run
    const p = this.providerOf(c);
    this.checkConfig(c, p);
    const parts = p.build(c, this.env);
    return { ...parts, operator: this.operators.get(c.operator)!(c, parts.space, parts, this.env) };
  }
}

export function costMetricsOf(devices: readonly string[], metric: string): string[] {
  return devices.map((d) => `${d}_${metric}`);
}
