// Zero-cost evaluation contract: an evaluator scores an architecture without training (predicted accuracy from
// zero-cost proxies, hardware cost from lookup tables or measurement). EvaluationService adds what every run
// needs on top: a cache keyed by architecture, and a counter of distinct evaluations against the budget.

import type { SearchSpace } from './space.js';

export interface Evaluation {
  /** The predictor's accuracy estimate; higher is better. Units are the predictor's (see Evaluator.predictor). */
  predictedAccuracy: number;
  /** Raw zero-cost proxy scores by name. */
  proxies: Record<string, number>;
  /** Hardware metrics by name (e.g. edgegpu_latency in ms, edgegpu_energy in mJ). */
  hw: Record<string, number>;
  /** Ground-truth test accuracy (%) when the space is a benchmark; never shown to the searcher. */
  trueAccuracy?: number;
  /**
   * Set when the network is degenerate whatever its weights: 'disconnected' (the output does not depend on the
   * input: a 10 % classifier on CIFAR-10) or 'identity' (the cell computes output = input: no operation on any
   * live path). Shown next to the architecture so nobody deploys one unwarned.
   */
  degenerate?: Degenerate;
}

export type Degenerate = 'disconnected' | 'identity';

export interface PredictorInfo {
  id: string;
  /** What predictedAccuracy means, e.g. "mean rank percentile of naswot, logsynflow, zen, params (0..1)". */
  unit: string;
  /** Labelled architectures used to calibrate it (counted in the budget). 0 = zero labels. */
  labels: number;
}

export interface Evaluator<A> {
  readonly id: string;
  readonly predictor: PredictorInfo;
  /** Hardware metrics this evaluator reports. */
  readonly metrics: readonly string[];
  /** Why an architecture is outside this task's space (e.g. no EdgeTPU value), or null if it can be scored. */
  admissible?(arch: A): string | null;
  /** Cache key; defaults to the space's canonical (isomorphism-invariant) key. */
  cacheKey?(arch: A): string;
  /**
   * Hardware costs known without evaluating (a lookup table: no proxy computed, no budget spent), or undefined
   * when they have to be measured. An operator may use them to choose which candidates to spend budget on.
   */
  knownCosts?(arch: A): Record<string, number> | undefined;
  /** `context`: which niche asks (optional; an evaluator that reports progress, e.g. job events, may use it). */
  evaluate(arch: A, signal?: AbortSignal, context?: EvaluationContext): Promise<Evaluation>;
}

/** Who asks for an evaluation: the search loop passes the candidate's niche. */
export interface EvaluationContext {
  niche: number;
}

export class BudgetExhausted extends Error {
  constructor(readonly budget: number) {
    super(`evaluation budget of ${budget} distinct architectures is used up`);
    this.name = 'BudgetExhausted';
  }
}

/** Cache + distinct-evaluation counter shared by all niches of a run. */
export class EvaluationService<A> {
  private readonly cache = new Map<string, Promise<Evaluation>>();
  private used = 0;

  constructor(
    readonly space: SearchSpace<A>,
    readonly evaluator: Evaluator<A>,
    readonly budget = Infinity,
  ) {}

  key(arch: A): string {
    return this.evaluator.cacheKey ? this.evaluator.cacheKey(arch) : this.space.canonicalKey(arch);
  }

  /** Seed the cache with a result recorded earlier (resume): counts as used. */
  prime(arch: A, evaluation: Evaluation): void {
    const k = this.key(arch);
    if (!this.cache.has(k)) {
      this.cache.set(k, Promise.resolve(evaluation));
      this.used++;
    }
  }

  has(arch: A): boolean {
    return this.cache.has(this.key(arch));
  }

  get evaluations(): number {
    return this.used;
  }

  get remaining(): number {
    return this.budget - this.used;
  }

  async evaluate(arch: A, signal?: AbortSignal, context?: EvaluationContext): Promise<Evaluation> {
    const k = this.key(arch);
    const hit = this.cache.get(k);
    if (hit) return hit;
    if (this.used >= this.budget) throw new BudgetExhausted(this.budget);
    this.used++;
    const p = this.evaluator.evaluate(arch, signal, context);
    this.cache.set(k, p);
    // a failed evaluation is not cached and gives its budget back, so a retry is possible
    p.catch(() => {
      this.cache.delete(k);
      this.used--;
    });
    return p;
  }
}
