// Zero-cost evaluation for spaces too large to tabulate (FBNet, AutoFormer): proxies are computed live for each
// candidate, and the predicted accuracy is either one proxy's raw score or "rank-avg" — the mean percentile of
// several proxies within a fixed reference sample of random architectures of the same space, scored once with the
// same evaluator and shipped in data/ (zero labels: no accuracy is used anywhere). Hardware metrics come from a
// lookup table (FBNet) or a measurement (ViT on this CPU), supplied by the space.

import type { Evaluation, Evaluator, PredictorInfo } from '../evaluator.js';

export type Scores = Record<string, number>;

/** Percentile of v among sorted reference values: (below + ties/2) / n, in [0, 1]. */
export function percentile(sorted: readonly number[], v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (sorted[m]! < v) lo = m + 1;
    else hi = m;
  }
  let eq = lo;
  while (eq < sorted.length && sorted[eq] === v) eq++;
  return sorted.length ? (lo + (eq - lo) / 2) / sorted.length : 0.5;
}

export interface ReferenceSample {
  /** What was scored: space, dataset, settings. */
  settings: string;
  /** Proxy name -> the reference architectures' scores, sorted ascending. */
  columns: Record<string, number[]>;
}

export function rankAvg(scores: Scores, ref: ReferenceSample, proxies: readonly string[]): number {
  let s = 0;
  for (const p of proxies) {
    const col = ref.columns[p];
    const v = scores[p];
    if (!col || v === undefined) throw new Error(`rank-avg needs proxy "${p}" and its reference column`);
    s += percentile(col, Number.isFinite(v) ? v : -Infinity);
  }
  return s / proxies.length;
}

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
  /** 'rank-avg' or a proxy name. */
  predictor: string;
  rankProxies: readonly string[];
  reference?: ReferenceSample;
  metrics: readonly string[];
  score: (arch: A, signal?: AbortSignal) => Promise<Scores>;
  hw: (arch: A, signal?: AbortSignal) => Promise<Record<string, number>>;
  cacheKey?: (arch: A) => string;
  concurrency?: number;
}

export class ZcEvaluator<A> implements Evaluator<A> {
  readonly id: string;
  readonly predictor: PredictorInfo;
  readonly metrics: readonly string[];
  private readonly limiter: Limiter;

  constructor(private readonly o: ZcEvaluatorOptions<A>) {
    this.id = o.id;
    this.metrics = o.metrics;
    this.limiter = new Limiter(o.concurrency ?? 1);
    if (o.predictor === 'rank-avg' && !o.reference)
      throw new Error(`${o.id}: rank-avg needs a reference sample`);
    this.predictor = {
      id: o.predictor,
      unit:
        o.predictor === 'rank-avg'
          ? `mean percentile of ${o.rankProxies.join(', ')} within ${o.reference!.columns[o.rankProxies[0]!]!.length} random reference architectures (0..1)`
          : `${o.predictor} zero-cost proxy score (higher is better)`,
      labels: 0,
    };
    if (o.cacheKey) this.cacheKey = o.cacheKey;
  }

  cacheKey?: (arch: A) => string;

  async evaluate(arch: A, signal?: AbortSignal): Promise<Evaluation> {
    return this.limiter.run(async () => {
      signal?.throwIfAborted();
      const proxies = await this.o.score(arch, signal);
      signal?.throwIfAborted();
      const hw = await this.o.hw(arch, signal);
      const p = this.o.predictor;
      const predictedAccuracy =
        p === 'rank-avg' ? rankAvg(proxies, this.o.reference!, this.o.rankProxies) : proxies[p];
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
