// Table evaluator for NAS-Bench-201: predicted accuracy from the PUBLISHED zero-cost proxies (label-free
// rank-average of FreeREA naswot and logsynflow, NAS-Bench-Suite-Zero zen, and params, or one proxy alone),
// hardware metrics from the HW-NAS-Bench lookup. Instant, so the whole protocol can be benchmarked.

import { aggregateColumns, fractionalRanks } from '../aggregate.js';
import type { Degenerate, Evaluation, Evaluator, PredictorInfo } from '../evaluator.js';
import { LIVE_VARIANTS, liveTableScores } from './live-scores.js';
import { nb201Pruned, nb201Space, type Nb201Arch } from './space.js';
import { HW_METRICS, loadNb201Table, type HwMetric, type Nb201Dataset } from './table.js';

/** The benchmark's default ensemble. */
export const RANK_AVG_PROXIES = ['freerea_naswot', 'freerea_logsynflow', 'nbsz_zen', 'params'] as const;
/** Short names accepted for --predictor. */
export const PREDICTOR_ALIASES: Record<string, string> = {
  naswot: 'freerea_naswot',
  logsynflow: 'freerea_logsynflow',
  zen: 'nbsz_zen',
  params: 'params',
  flops: 'flops',
};

/** Per-index scores of the predictors computed from the shipped live table (live-scores.ts), by name. */
function liveSource(ds: Nb201Dataset, name: string): Float64Array | undefined {
  return Object.hasOwn(LIVE_VARIANTS, name) ? liveTableScores(ds, name) : undefined;
}

function proxyColumn(ds: Nb201Dataset, name: string): Float64Array {
  const src = liveSource(ds, name);
  if (src) return src;
  const t = loadNb201Table();
  if (name === 'params') return t.params(ds);
  if (name === 'flops') return t.flops(ds);
  return t.proxy(ds, name);
}

export function tablePredictorNames(ds: Nb201Dataset): string[] {
  return [
    'rank-avg',
    'rank-geo',
    ...Object.keys(PREDICTOR_ALIASES),
    ...loadNb201Table().proxyNames(ds),
    ...Object.keys(LIVE_VARIANTS),
  ];
}

const scoreCache = new Map<string, Float64Array>();

/** Predicted-accuracy score for every architecture index (rank percentile 0..1, higher = better). */
export function tablePredictorScores(ds: Nb201Dataset, predictor: string): Float64Array {
  const key = `${ds}/${predictor}`;
  let s = scoreCache.get(key);
  if (!s) {
    const src = liveSource(ds, predictor);
    if (src) {
      s = src;
    } else if (predictor === 'rank-avg' || predictor === 'rank-geo') {
      const how = predictor === 'rank-avg' ? 'arithmetic' : 'geometric';
      s = aggregateColumns(
        RANK_AVG_PROXIES.map((p) => proxyColumn(ds, p)),
        how,
      );
    } else {
      const name = PREDICTOR_ALIASES[predictor] ?? predictor;
      const t = loadNb201Table();
      if (name !== 'params' && name !== 'flops' && !t.hasColumn(`proxy/${ds}/${name}`))
        throw new Error(
          `unknown predictor "${predictor}" for ${ds}; valid: ${tablePredictorNames(ds).join(', ')}`,
        );
      const r = fractionalRanks(proxyColumn(ds, name));
      s = r.map((v) => v / r.length);
    }
    scoreCache.set(key, s);
  }
  return s;
}

export interface TableEvaluatorOptions {
  dataset: Nb201Dataset;
  predictor?: string;
  /** Metrics reported (objectives are chosen among them); default all ten. */
  metrics?: readonly HwMetric[];
  /** Metrics that must have a value for the architecture to be in the task's space (EdgeTPU: 10,926). */
  required?: readonly HwMetric[];
  /** Scores computed elsewhere (the benchmark's calibrated predictors), used instead of `predictor`'s. */
  scores?: { name: string; values: Float64Array };
}

/**
 * Why a cell is outside a task's space (HW-NAS-Bench has no value for one of the task's metrics, e.g. 4,699
 * cells on EdgeTPU), or null. Shared by every NB201 evaluator.
 */
export function nb201Admissible(
  arch: Nb201Arch,
  dataset: Nb201Dataset,
  required: readonly HwMetric[] = [],
): string | null {
  const i = nb201Space.index(arch);
  const t = loadNb201Table();
  for (const m of required) {
    if (Number.isNaN(t.hw(dataset, m)[i]!))
      return `HW-NAS-Bench has no ${m} value for this cell on ${dataset}, so it is outside this task's space`;
  }
  return null;
}

/** Hardware metrics of the cell at NB201 index i from HW-NAS-Bench (a lookup, free): NaN where the table has no value. */
export function nb201Costs(
  i: number,
  dataset: Nb201Dataset,
  metrics: readonly HwMetric[],
): Record<string, number> {
  const t = loadNb201Table();
  const hw: Record<string, number> = {};
  for (const m of metrics) hw[m] = t.hw(dataset, m)[i]!;
  return hw;
}

/**
 * Whether a cell is degenerate: 'disconnected' when no path of non-`none` edges joins input and output (the
 * network outputs a constant), 'identity' when every edge on an input→output path is a skip connection (output =
 * input, or a multiple of it with several paths; with NB201's stem and reduction blocks such a network still
 * reaches 83–87 % on CIFAR-10 with one or two paths, but the cell computes nothing).
 */
export function nb201Degenerate(arch: Nb201Arch): Degenerate | undefined {
  if (nb201Space.isDisconnected(arch)) return 'disconnected';
  // an edge fed only by zeros (a node with no live input) is dead too: what remains is what acts on the input
  return nb201Pruned(arch).every((op) => op === OP_NONE || op === OP_SKIP) ? 'identity' : undefined;
}

const OP_NONE = 0;
const OP_SKIP = 1;

export class Nb201TableEvaluator implements Evaluator<Nb201Arch> {
  readonly id = 'nb201-table';
  readonly predictor: PredictorInfo;
  readonly metrics: readonly HwMetric[];
  private readonly scores: Float64Array;
  private readonly proxyNames: string[];

  constructor(private readonly opts: TableEvaluatorOptions) {
    const p = opts.scores?.name ?? opts.predictor ?? 'rank-avg';
    this.scores = opts.scores?.values ?? tablePredictorScores(opts.dataset, p);
    this.metrics = opts.metrics ?? HW_METRICS;
    const ens = p === 'rank-avg' || p === 'rank-geo';
    this.proxyNames = ens ? [...RANK_AVG_PROXIES] : [PREDICTOR_ALIASES[p] ?? p];
    this.predictor = {
      id: p,
      unit: ens
        ? `${p === 'rank-avg' ? 'mean' : 'geometric mean of the'} rank percentile (0..1) of published naswot, logsynflow, zen and params`
        : `rank percentile (0..1) of the published ${p} proxy`,
      labels: 0,
    };
  }

  admissible(arch: Nb201Arch): string | null {
    return nb201Admissible(arch, this.opts.dataset, this.opts.required);
  }

  /** Exact cell (not its isomorphism class): isomorphic cells have their own measured latencies. */
  cacheKey(arch: Nb201Arch): string {
    return nb201Space.format(arch);
  }

  knownCosts(arch: Nb201Arch): Record<string, number> {
    return nb201Costs(nb201Space.index(arch), this.opts.dataset, this.metrics);
  }

  evaluateIndex(i: number): Evaluation {
    const t = loadNb201Table();
    const ds = this.opts.dataset;
    const proxies: Record<string, number> = {};
    for (const p of this.proxyNames)
      proxies[p] = (p === this.opts.scores?.name ? this.opts.scores.values : proxyColumn(ds, p))[i]!;
    const hw = nb201Costs(i, ds, this.metrics);
    const e: Evaluation = {
      predictedAccuracy: this.scores[i]!,
      proxies,
      hw,
      trueAccuracy: t.testAccuracy(ds)[i]!,
    };
    const d = nb201Degenerate(nb201Space.fromIndex(i));
    if (d) e.degenerate = d;
    return e;
  }

  evaluate(arch: Nb201Arch): Promise<Evaluation> {
    return Promise.resolve(this.evaluateIndex(nb201Space.index(arch)));
  }
}
