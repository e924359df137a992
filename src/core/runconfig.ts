// The one run-config builder: what the CLI's flags and the extension's wizard both turn into a RunConfig — the
// space's defaults for what was not chosen, the objectives from devices × metric, a run id, a user-defined space's
// definition carried in spaceOptions, the LLM operator's options — checked against the registry.

import type { Registry } from './registry.js';
import { costMetricsOf } from './registry.js';
import { RUN_FORMAT, type RunConfig } from './runstore.js';

/** What a user chose; everything left out takes the space's (or the loop's) default. */
export interface RunChoices {
  space: string;
  dataset?: string;
  devices?: readonly string[];
  metric?: string;
  /** Default: "external" when an external evaluator is given, else the space's default predictor. */
  predictor?: string;
  operator?: string;
  partition?: boolean;
  generations?: number;
  budget?: number;
  children?: number;
  adaptive?: boolean;
  seed?: number;
  spaceOptions?: Record<string, unknown>;
  /** The LLM operator's options (src/core/llm/index.ts's LlmOperatorConfig); ignored for the built-in operator. */
  operatorOptions?: Record<string, unknown>;
  id?: string;
}

/** The loop's own defaults (a space's defaults come from its provider). */
export const RUN_DEFAULTS = {
  operator: 'builtin',
  partition: true,
  generations: 10,
  budget: 300,
  adaptive: true,
  seed: 0,
} as const;

/** A run id from the time (UTC, to the second) and 4 random characters, so two runs started together differ. */
export function newRunId(now = new Date()): string {
  const t = now.toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  return `${t}-${Math.random().toString(36).slice(2, 6)}`;
}

/** Whether the choices name an external evaluator (a command, or a batch evaluator such as SLURM). */
function hasExternal(o: Record<string, unknown> | undefined): boolean {
  return !!o && (o['externalEvaluator'] !== undefined || o['evaluator'] !== undefined);
}

/** Builds and checks the RunConfig of a new run (throws ConfigError listing the valid values). */
export function buildRunConfig(registry: Registry, ch: RunChoices, now = new Date()): RunConfig {
  const spaceOptions = ch.spaceOptions ?? {};
  const provider = registry.providerOf({ space: ch.space, spaceOptions }); // unknown space → ConfigError
  const d = provider.defaults;
  const devices = [...(ch.devices ?? d.devices)];
  const metric = ch.metric ?? d.metric;
  const operator = ch.operator ?? RUN_DEFAULTS.operator;
  const config: RunConfig = {
    format: RUN_FORMAT,
    id: ch.id ?? newRunId(now),
    createdAt: now.toISOString(),
    space: ch.space,
    dataset: ch.dataset ?? d.dataset,
    devices,
    metric: metric as RunConfig['metric'],
    costMetrics: costMetricsOf(devices, metric),
    predictor: ch.predictor ?? (hasExternal(spaceOptions) ? 'external' : d.predictor),
    operator,
    partition: ch.partition ?? RUN_DEFAULTS.partition,
    generations: ch.generations ?? RUN_DEFAULTS.generations,
    budget: ch.budget ?? RUN_DEFAULTS.budget,
    ...(ch.children !== undefined ? { children: ch.children } : {}),
    adaptive: ch.adaptive ?? RUN_DEFAULTS.adaptive,
    seed: ch.seed ?? RUN_DEFAULTS.seed,
    ...(Object.keys(spaceOptions).length ? { spaceOptions } : {}),
    // the API key never enters the run folder: only the name of the variable holding it
    ...(operator !== 'builtin' && ch.operatorOptions ? { operatorOptions: ch.operatorOptions } : {}),
  };
  registry.checkConfig(config);
  return config;
}
