// Builds a run's components (space, partition, evaluator, operator, objectives) from its RunConfig, so the CLI,
// the benchmark and the extension all assemble runs the same way. Spaces and operators register here:
// a SpaceProvider knows its datasets, devices, metrics and predictors and builds the space-specific parts.

import { ConfigError } from './errors.js';
import { BuiltinOperator } from './operator.js';
import type { OperatorFactory, RunParts, SpaceProvider } from './provider.js';
import type { RunConfig } from './runstore.js';
import { nb201Provider } from './nb201/provider.js';
import { fbnetProvider } from './fbnet/provider.js';
import { vitProviders } from './vit/provider.js';
import { userSpaceProvider } from './userspace/provider.js';
export { standardHwUnits } from './units.js';
import './nb201/live-scores.js';

const operatorFactories = new Map<string, OperatorFactory>([['builtin', () => new BuiltinOperator()]]);
const providers = new Map<string, SpaceProvider>([[nb201Provider.id, nb201Provider]]);
registerSpace(fbnetProvider);
for (const p of vitProviders) registerSpace(p);

export function registerOperator(id: string, factory: OperatorFactory): void {
  operatorFactories.set(id, factory);
}

export function registerSpace(p: SpaceProvider): void {
  providers.set(p.id, p);
}

export function spaceProvider(id: string): SpaceProvider {
  const p = providers.get(id);
  if (!p) throw new ConfigError(`unknown space "${id}"; valid: ${[...providers.keys()].join(', ')}`);
  return p;
}

export function spaceIds(): string[] {
  return [...providers.keys()];
}

export function operatorIds(): string[] {
  return [...operatorFactories.keys()];
}

/** The units a run's space documents for its hardware metrics ({} when it documents none or is unknown). */
export function hwUnitsOf(space: string): Record<string, string> {
  try {
    return { ...spaceProvider(space).hwUnits };
  } catch {
    return {};
  }
}

export function costMetricsOf(devices: readonly string[], metric: string): string[] {
  return devices.map((d) => `${d}_${metric}`);
}

/** Checks a config's choices, throwing ConfigError listing the valid values. */
export function checkConfig(c: RunConfig): void {
  // a user-defined space travels inside its config (spaceOptions.definition): its provider is built from there
  const userSpace = userSpaceProvider(c);
  if (userSpace) registerSpace(userSpace);
  const p = spaceProvider(c.space);
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
  if (!operatorFactories.has(c.operator))
    throw new ConfigError(`unknown operator "${c.operator}"; valid: ${list(operatorIds())}`);
  const preds = p.predictors(c.dataset);
  if (!preds.includes(c.predictor))
    throw new ConfigError(`unknown predictor "${c.predictor}"; valid: ${list(preds)}`);
  if (!(c.generations >= 1)) throw new ConfigError(`generations must be ≥ 1, got ${c.generations}`);
  if (!(c.budget >= 1)) throw new ConfigError(`budget must be ≥ 1, got ${c.budget}`);
}

export function buildRun(c: RunConfig): RunParts {
  checkConfig(c);
  const parts = spaceProvider(c.space).build(c);
  return { ...parts, operator: operatorFactories.get(c.operator)!(c, parts.space, parts) };
}
