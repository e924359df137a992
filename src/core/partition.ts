// Complexity-driven partitioning: the search space is split into niches by architectural complexity, each with
// its own population and Pareto archive (the paper's remedy for the LLM's exploration bias). A niche knows its
// constraint (for prompts and the validator) and a distance from any architecture to itself (for repair).

import { Rng } from './rng.js';
import type { RunConfig } from './runstore.js';
import type { SearchSpace } from './space.js';

export interface Niche<A = unknown> {
  /** 0-based position; also the niche's name suffix (N0, N1, ...). */
  readonly id: number;
  readonly name: string;
  /** Constraint in words, given to the LLM and shown in the UI. */
  readonly constraint: string;
  contains(arch: A): boolean;
  /** 0 inside the niche; otherwise how many elementary edits (or rank steps) away. Used by repair. */
  distance(arch: A): number;
}

export interface Partition<A = unknown> {
  readonly kind: string;
  readonly niches: readonly Niche<A>[];
  /** Index of the niche an architecture belongs to. */
  nicheOf(arch: A): number;
}

/** `--no-partition` ablation: one niche covering the whole space. */
export function singleNiche<A>(): Partition<A> {
  const all: Niche<A> = {
    id: 0,
    name: 'N0',
    constraint: 'any architecture in the space',
    contains: () => true,
    distance: () => 0,
  };
  return { kind: 'none', niches: [all], nicheOf: () => 0 };
}

/**
 * Generic partition by quantiles of one complexity feature into K niches, for spaces without a hand-made
 * partition. Boundaries come from the feature's distribution over `reference` architectures (the whole space
 * when enumerable, else a sample); niche k holds feature values in [q_k, q_{k+1}).
 */
export function quantilePartition<A>(
  space: SearchSpace<A>,
  feature: string,
  k: number,
  reference: Iterable<A>,
): Partition<A> {
  if (k < 1) throw new Error(`niche count must be ≥ 1, got ${k}`);
  const values = [...reference].map((a) => {
    const v = space.features(a)[feature];
    if (v === undefined) throw new Error(`space ${space.id} has no feature "${feature}"`);
    return v;
  });
  values.sort((a, b) => a - b);
  const cuts: number[] = [];
  for (let i = 1; i < k; i++) cuts.push(values[Math.floor((i * values.length) / k)]!);
  const bin = (v: number): number => {
    let b = 0;
    while (b < cuts.length && v >= cuts[b]!) b++;
    return b;
  };
  const fmt = (v: number): string => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3));
  const niches: Niche<A>[] = Array.from({ length: k }, (_, id) => {
    const lo = id === 0 ? -Infinity : cuts[id - 1]!;
    const hi = id === k - 1 ? Infinity : cuts[id]!;
    const range =
      lo === -Infinity
        ? `${feature} < ${fmt(hi)}`
        : hi === Infinity
          ? `${feature} ≥ ${fmt(lo)}`
          : `${fmt(lo)} ≤ ${feature} < ${fmt(hi)}`;
    return {
      id,
      name: `N${id}`,
      constraint: range,
      contains: (a: A) => bin(space.features(a)[feature]!) === id,
      distance: (a: A) => Math.abs(bin(space.features(a)[feature]!) - id),
    };
  });
  return { kind: `quantile:${feature}:${k}`, niches, nicheOf: (a: A) => bin(space.features(a)[feature]!) };
}

/** The partition of a run: quantiles of spaceOptions.partitionFeature (flops_m) into spaceOptions.niches (4). */
export function featurePartition<A>(
  space: SearchSpace<A>,
  c: RunConfig,
  dflt: { feature: string; niches: number },
): Partition<A> {
  if (!c.partition) return singleNiche();
  const o = c.spaceOptions ?? {};
  const feature = typeof o['partitionFeature'] === 'string' ? o['partitionFeature'] : dflt.feature;
  const k = typeof o['niches'] === 'number' ? o['niches'] : dflt.niches;
  const rng = new Rng(`${space.id}-partition-reference`);
  const reference = Array.from({ length: 2000 }, () => space.sample(rng));
  return quantilePartition(space, feature, k, reference);
}
