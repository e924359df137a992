// Label-free accuracy predictor over live proxies: the rank ensemble. Each proxy's value is placed in a
// reference distribution of the same proxy (the full-space table when one is shipped, else a seeded reference
// sample) as a fractional-rank percentile, and the percentiles are aggregated (core/aggregate.ts). No accuracy
// label is used anywhere, so the predictor reports labels: 0.
//
// The default is fixed a priori, never by looking at NB201 accuracies: the benchmark's four published-proxy
// kinds (naswot, logsynflow, zen, params), computed live, with each cell's OWN params (not its isomorphism class
// representative's), aggregated geometrically (AZ-NAS's sum of log ranks: a cell must be good in every proxy).

import { RankReference, type Aggregation } from '../aggregate.js';
import { AZ_TERMS, type LiveProxy, type ProxyScores } from '../engine/settings.js';

export const ENSEMBLE_PROXIES: readonly LiveProxy[] = ['naswot', 'logsynflow', 'zen', 'params'];
export const ENSEMBLE_AGGREGATION: Aggregation = 'geometric';

/**
 * The live evaluator's label-free rules (run setting spaceOptions.liveRule). `ensemble` (the default): the one
 * above. `az-nas`: AZ-NAS's own rule as its paper computes it on NB201 (Lee & Ham, CVPR 2024): expressivity,
 * progressivity, trainability and FLOPs, sum of log ranks, the three data terms on 64 Gaussian-noise inputs with
 * Kaiming-normal weights (ProxySettings.azBatch). Neither rule's proxies or aggregation were chosen here.
 */
export const LIVE_RULES = {
  ensemble: { proxies: ENSEMBLE_PROXIES, aggregation: ENSEMBLE_AGGREGATION, azBatch: undefined },
  'az-nas': {
    proxies: [...AZ_TERMS, 'flops'] as readonly LiveProxy[],
    aggregation: 'geometric' as Aggregation,
    azBatch: 64,
  },
} as const;
export type LiveRule = keyof typeof LIVE_RULES;
export const LIVE_RULE_NAMES = Object.keys(LIVE_RULES) as LiveRule[];

export class RankEnsemble {
  private readonly ref: RankReference<LiveProxy>;

  constructor(
    reference: Partial<Record<LiveProxy, ArrayLike<number>>>,
    readonly proxies: readonly LiveProxy[] = ENSEMBLE_PROXIES,
    readonly aggregation: Aggregation = ENSEMBLE_AGGREGATION,
  ) {
    this.ref = new RankReference(reference, proxies);
  }

  /** Percentile (0..1] of one value among the reference (see RankReference.percentile). */
  percentile(p: LiveProxy, v: number): number {
    return this.ref.percentile(p, v);
  }

  predict(scores: ProxyScores): number {
    return this.ref.score(scores, this.proxies, this.aggregation);
  }
}
