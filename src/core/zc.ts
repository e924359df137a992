// Zero-cost evaluation for spaces too large to tabulate (FBNet, AutoFormer): proxies are computed live for each
// candidate, and the predicted accuracy is either one proxy's raw score or a rank aggregate — "rank-avg" (mean)
// or "rank-geo" (geometric mean, AZ-NAS's rule) of several proxies' percentiles within a fixed reference sample of random architectures of the same space, scored once with the
// same evaluator and shipped in data/ (zero labels: no accuracy is used anywhere). Hardware metrics come from a
// lookup table (FBNet) or a measurement (ViT on this CPU), supplied by the space.

import fs from 'node:fs';
import { RankReference, type Aggregation } from './aggregate.js';
import type { Evaluation, Evaluator, PredictorInfo } from './evaluator.js';

export type Scores = Record<string, number>;

export interface ReferenceSample {
  /** What was scored: space, dataset, settings. */
  settings: string;
  /** Proxy name -> the reference architectures' scores, sorted ascending. */
  columns: Record<string, number[]>;
}

/** Rank predictors of the zero-cost evaluator: their aggregation of the rank proxies' percentiles. */
export const RANK_PREDICTORS: Record<string, Aggregation> = {
  'rank-avg': 'arithmetic',
  'rank-geo': 'geometric',
};

/** Bounded concurrency for CPU-heavy work on the event loop's behalf (ONNX sessions are large). */
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(readonly limit: number) {}

  async run<T>(f: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    try {
      return await f();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

export interface ZcEvaluatorOptions<A> {
  id: string;
  /** 'rank-avg', 'rank-geo' or a proxy name. */
  predictor: string;
  rankProxies: readonly string[];
  reference?: ReferenceSample;
  metrics: readonly string[];
  score: (arch: A, signal?: AbortSignal) => Promise<Scores>;
  hw: (arch: A, signal?: AbortSignal) => Promise<Record<string, number>>;
  /** The hardware costs when a lookup table gives them for free (Evaluator.knownCosts). */
  knownCosts?: (arch: A) => Record<string, number>;
  cacheKey?: (arch: A) => string;

  concurrency?: number;
}

export class ZcEvaluator<A> implements Evaluator<A> {
  readonly id: string;
  readonly predictor: PredictorInfo;
  readonly metrics: readonly string[];
  private readonly limiter: Limiter;
  private readonly rank?: RankReference;

  constructor(private readonly o: ZcEvaluatorOptions<A>) {
    this.id = o.id;
    this.metrics = o.metrics;
    this.limiter = new Limiter(o.concurrency ?? 1);
    const how = RANK_PREDICTORS[o.predictor];
    if (how && !o.reference) throw new Error(`${o.id}: ${o.predictor} needs a reference sample`);
    if (how) this.rank = new RankReference(o.reference!.columns, o.rankProxies);
    this.predictor = {
      id: o.predictor,
      unit: how
        ? `${how === 'arithmetic' ? 'mean' : 'geometric mean of the'} percentile of ${o.rankProxies.join(', ')} within ${o.reference!.columns[o.rankProxies[0]!]!.length} random reference architectures (0..1)`
        : `${o.predictor} zero-cost proxy score (higher is better)`,
      labels: 0,
    };
    if (o.cacheKey) this.cacheKey = o.cacheKey;
    if (o.knownCosts) this.knownCosts = o.knownCosts;
  }

  cacheKey?: (arch: A) => string;
  knownCosts?: (arch: A) => Record<string, number>;

  private rankOf(proxies: Scores, how: Aggregation): number {
    const v: Scores = {};
    for (const p of this.o.rankProxies) {
      const x = proxies[p];
      if (x === undefined) throw new Error(`${this.id}: rank aggregation needs proxy "${p}"`);
      v[p] = Number.isNaN(x) ? -Infinity : x;
    }
    return this.rank!.score(v, this.o.rankProxies, how);
  }

  async evaluate(arch: A, signal?: AbortSignal): Promise<Evaluation> {
    return this.limiter.run(async () => {
      signal?.throwIfAborted();
      const proxies = await this.o.score(arch, signal);
      signal?.throwIfAborted();
      const hw = await this.o.hw(arch, signal);
      const p = this.o.predictor;
      const how = RANK_PREDICTORS[p];
      const predictedAccuracy = how ? this.rankOf(proxies, how) : proxies[p];
      if (predictedAccuracy === undefined || Number.isNaN(predictedAccuracy))
        throw new Error(`${this.id}: proxy "${p}" was not computed`);
      // -Infinity (e.g. a zero synflow) is not JSON: clamp to the lowest finite score
      const finite = (v: number): number =>
        Number.isFinite(v) ? v : v > 0 ? Number.MAX_VALUE : -Number.MAX_VALUE;
      return {
        predictedAccuracy: finite(predictedAccuracy),
        proxies: Object.fromEntries(Object.entries(proxies).map(([k, v]) => [k, finite(v)])),
        hw,
      };
    });
  }
}

/** The proxies a predictor needs (params and FLOPs always: they are free). */
export function proxiesFor(predictor: string, rank: readonly string[]): string[] {
  return [...new Set([...(predictor in RANK_PREDICTORS ? rank : [predictor]), 'params', 'flops'])];
}

export function loadReference(file: string): ReferenceSample | undefined {
  if (!fs.existsSync(file)) return undefined;
  const r = JSON.parse(fs.readFileSync(file, 'utf8')) as { settings: string; rows: Scores[] };
  const columns: Record<string, number[]> = {};
  for (const row of r.rows)
    for (const [k, v] of Object.entries(row)) (columns[k] ??= []).push(v === null ? -Infinity : v);
  for (const c of Object.values(columns)) c.sort((a, b) => a - b);
  return { settings: r.settings, columns };
}
