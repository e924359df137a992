// The search-space contract every space implements (NB201 cells, FBNet's layer-wise choices, AutoFormer's
// dimensions, user-defined slot spaces). The evolution loop, validator, operators, evaluators and run store only
// see this interface, so nothing outside a space's own folder knows what an architecture looks like inside.

import type { Rng } from './rng.js';

/** A precise, user-facing validation problem: where (a JSON-path-like location) and what. */
export interface SpaceIssue {
  path: string;
  message: string;
}

export class SpaceError extends Error {
  constructor(
    readonly issues: SpaceIssue[],
    readonly input?: string,
  ) {
    super(issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; '));
    this.name = 'SpaceError';
  }
}

export interface SearchSpace<A = unknown> {
  /** Stable identifier, e.g. "nb201". */
  readonly id: string;
  readonly label: string;
  /** Number of architectures when enumerable (NB201: 15,625). */
  readonly size?: number;

  /** Parse text (the space's own notation) or a JSON spec object; throws SpaceError with precise issues. */
  parse(input: unknown): A;
  /** The space's canonical text notation (round-trips through parse). */
  format(arch: A): string;
  /** JSON payload stored in spec files (round-trips through parse). */
  toJSON(arch: A): Record<string, unknown>;
  /** Key identical for isomorphic (functionally equivalent) architectures. */
  canonicalKey(arch: A): string;
  /** Short filesystem-safe id for spec files; unique per distinct architecture. */
  fileId(arch: A): string;

  sample(rng: Rng): A;
  /** All architectures one elementary edit away. */
  neighbours(arch: A): A[];
  /** Per-slot mutation: each slot changes with probability `rate`; at least one slot always changes. */
  mutate(arch: A, rng: Rng, rate: number): A;
  /** Uniform per-slot crossover of two parents. */
  crossover(a: A, b: A, rng: Rng): A;

  /** Complexity features used for partitioning and shown to the LLM (e.g. params, flops, n_conv3x3). */
  features(arch: A): Record<string, number>;
  /** Human-readable description of the architecture, for prompts and tooltips. */
  describe(arch: A): string;
  /** Short description of the notation and choices, for prompts and docs. */
  grammar(): string;
  /** Fixed-length numeric encoding (e.g. one-hot op per edge) for surrogate models. */
  encode?(arch: A): number[];
  /** Every architecture, when the space is enumerable. */
  enumerate?(): Iterable<A>;
}
