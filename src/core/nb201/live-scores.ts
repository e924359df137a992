// The benchmark's live predictors: rank ensembles over the precomputed full-space live tables (`bench --predictor
// live` and its variants), and the live proxies as features for calibration with K labels.

import { aggregateColumns, type Aggregation } from '../aggregate.js';
import { nb201Pruned, nb201Space } from './space.js';
import { loadNb201Table, type Nb201Dataset } from './table.js';
import { ENSEMBLE_AGGREGATION, ENSEMBLE_PROXIES, LIVE_RULES } from './live-ensemble.js';
import { AZ_TERMS, TABLE_PROXIES, type LiveProxy } from '../engine/settings.js';
import { loadLiveTable, loadLiveTableRepeats, nb201Representative, type LiveTable } from './live-table.js';

const warned = new Set<string>();

/**
 * How a cell's params enter the ensemble: `own` (the cell's own count, the default: isomorphic cells differ in
 * dead edges, which NB201 still builds and counts), `pruned` (the cell with its dead edges removed, the network
 * that really computes) or `class` (its isomorphism class representative's — the earlier, defective table
 * expansion, kept only to measure the defect).
 */
export type ParamsMode = 'own' | 'pruned' | 'class';

export interface LiveVariant {
  proxies: readonly LiveProxy[];
  aggregation: Aggregation;
  params: ParamsMode;
  /** Weight seeds averaged per proxy (default 1): needs the tables' `seedS` parts (scripts/live-table.ts --seed S). */
  repeats?: number;
  /**
   * Image offsets of further input batches (the tables' `ioN` parts, scripts/live-table.ts --image-offset N) whose
   * data-pass proxies (NASWOT here) are averaged with the main table's (less per-cell noise from the input batch).
   */
  batches?: readonly number[];
  /** Proxies read from a standalone table part instead of the main table (e.g. NASWOT at another batch size). */
  from?: Partial<Record<LiveProxy, string>>;
}

/** Bench score sources over the shipped live tables; `live` is the a-priori default ensemble. */
export const LIVE_VARIANTS: Record<string, LiveVariant> = {
  live: { proxies: ENSEMBLE_PROXIES, aggregation: ENSEMBLE_AGGREGATION, params: 'own' },
  'live-arith': { proxies: ENSEMBLE_PROXIES, aggregation: 'arithmetic', params: 'own' },
  'live-pruned': { proxies: ENSEMBLE_PROXIES, aggregation: ENSEMBLE_AGGREGATION, params: 'pruned' },
  // the ensemble shipped before protocol v2 (arithmetic, class-representative params), to measure the change
  'live-v1': { proxies: ENSEMBLE_PROXIES, aggregation: 'arithmetic', params: 'class' },
  // AZ-NAS's own rule (Lee & Ham, CVPR 2024): expressivity, progressivity, trainability (here a forward-mode
  // estimate) and FLOPs, sum of log ranks; needs the tables' `az` part (scripts/live-table.ts --part az)
  'live-az': {
    proxies: [...AZ_TERMS, 'flops'],
    aggregation: 'geometric',
    params: 'own',
  },
  // both a-priori rules' proxies in one geometric aggregate (the default's four and AZ-NAS's three data terms)
  'live-union': {
    proxies: [...ENSEMBLE_PROXIES, ...AZ_TERMS],
    aggregation: 'geometric',
    params: 'own',
  },
  // the default ensemble with every proxy averaged over weight seeds 0 and 1 (spaceOptions.liveRepeats 2): less
  // per-cell noise at twice the cost; a setting, not a subset choice
  'live-r2': { proxies: ENSEMBLE_PROXIES, aggregation: ENSEMBLE_AGGREGATION, params: 'own', repeats: 2 },
  // the default ensemble with NASWOT (the only image-dependent proxy of the four) averaged over two image batches
  'live-b2': { proxies: ENSEMBLE_PROXIES, aggregation: ENSEMBLE_AGGREGATION, params: 'own', batches: [32] },
  // the default ensemble with NASWOT on 128 images, its paper's batch (the table's default is 32, for speed)
  'live-n128': {
    proxies: ENSEMBLE_PROXIES,
    aggregation: ENSEMBLE_AGGREGATION,
    params: 'own',
    from: { naswot: 'b128' },
  },
  // AZ-NAS's rule in the paper's own settings (Gaussian-noise batch of 64, Kaiming-normal weights, the stem's
  // output among the features: AZ-NAS's NB201 code computes az_nas on random inputs); needs the tables' `az64`
  // part (scripts/live-table.ts --az-batch 64). The rule and its settings are the paper's, none chosen here
  'live-az-paper': {
    proxies: LIVE_RULES['az-nas'].proxies,
    aggregation: LIVE_RULES['az-nas'].aggregation,
    params: 'own',
    from: Object.fromEntries(AZ_TERMS.map((p) => [p, `az${LIVE_RULES['az-nas'].azBatch}`])),
  },
  // the default's four and jacov (needs the tables' `jacov` part): proposed after jacov's ρ on a 150-cell sample
  // was seen (scripts/jacov-report.ts), so chosen by looking at accuracy — a reported row, not a zero-label default
  'live-jacov': {
    proxies: [...ENSEMBLE_PROXIES, 'jacov'],
    aggregation: 'geometric',
    params: 'own',
  },
};

/** Per-index params of every NB201 cell under a ParamsMode (from the benchmark table's own counts). */
export function nb201ParamsColumn(dataset: Nb201Dataset, mode: ParamsMode): Float64Array {
  const own = loadNb201Table().params(dataset);
  if (mode === 'own') return own;
  return Float64Array.from({ length: nb201Space.size }, (_, i) => {
    const a = nb201Space.fromIndex(i);
    return own[nb201Space.index(mode === 'pruned' ? nb201Pruned(a) : nb201Representative(a))]!;
  });
}

const scoresByKey = new Map<string, Float64Array>();

/**
 * Ensemble score of every NB201 index from the shipped live table (what `bench --predictor live` uses).
 * A dataset without its own table falls back to the CIFAR-10 table (same cells; only the input batch, the
 * classifier width and, for ImageNet16-120, the resolution differ), with a process warning saying so.
 * Cells not computed yet are NaN in every proxy and rank lowest.
 */
export function liveTableScores(dataset: string, variant = 'live'): Float64Array {
  const key = `${dataset}/${variant}`;
  const hit = scoresByKey.get(key);
  if (hit) return hit;
  const v = LIVE_VARIANTS[variant];
  if (!v) throw new Error(`unknown live variant ${variant}; valid: ${Object.keys(LIVE_VARIANTS).join(', ')}`);
  const t = v.repeats && v.repeats > 1 ? repeatsTable(dataset, v.repeats) : liveTable(dataset);
  // a standalone table part the variant reads, complete (as many classes as the main table) or an error
  const part = (name: string): LiveTable => {
    const b = loadLiveTable(dataset, name);
    if (!b || b.classes < t.classes)
      throw new Error(
        `predictor ${variant} needs the complete table part ${name} for ${dataset} (compute it with ` +
          `scripts/live-table.ts --dataset ${dataset} ${partFlag(name)})`,
      );
    return b;
  };
  const others = (v.batches ?? []).map((n) => part(`io${n}`));
  const cols = v.proxies.map((p) => {
    if (p === 'params') return nb201ParamsColumn(dataset as Nb201Dataset, v.params);
    const from = v.from?.[p];
    if (from) return part(from).column(p);
    const own = t.column(p);
    const more = others.map((b) => b.column(p)).filter((c) => !c.every(Number.isNaN));
    if (more.length === 0) return own;
    return own.map((x, i) => (x + more.reduce((a, c) => a + c[i]!, 0)) / (1 + more.length));
  });
  v.proxies.forEach((p, k) => {
    if (cols[k]!.every(Number.isNaN))
      throw new Error(
        `predictor ${variant} needs ${p} in the live table of ${dataset}, which has none (compute it with ` +
          `scripts/live-table.ts --dataset ${dataset} --part ${p === 'jacov' ? 'jacov' : 'az'})`,
      );
  });
  const scores = aggregateColumns(cols, v.aggregation);
  scoresByKey.set(key, scores);
  return scores;
}

/** The scripts/live-table.ts flag that writes a standalone table part (`ioN`, `bN`, `azN`, `seedS`). */
function partFlag(name: string): string {
  const m = /^(io|b|az|seed)(\d+)$/.exec(name);
  if (!m) return `--part ${name}`;
  return `${{ io: '--image-offset', b: '--batch', az: '--az-batch', seed: '--seed' }[m[1] as 'io']} ${m[2]}`;
}

/** The dataset's tables averaged over `repeats` weight seeds; no fallback to another dataset (see liveTableScores). */
function repeatsTable(dataset: string, repeats: number): NonNullable<ReturnType<typeof loadLiveTable>> {
  const t = loadLiveTableRepeats(dataset, repeats);
  const base = loadLiveTable(dataset);
  if (!t || !base || t.classes < base.classes)
    throw new Error(
      `a live predictor averaged over ${repeats} weight seeds needs complete seed tables for ${dataset} (compute ` +
        `them with scripts/live-table.ts --dataset ${dataset} --seed S for S = 1 … ${repeats - 1})`,
    );
  return t;
}

/** The shipped live table of a dataset, or the CIFAR-10 one with a warning (see liveTableScores). */
function liveTable(dataset: string): NonNullable<ReturnType<typeof loadLiveTable>> {
  let t = loadLiveTable(dataset);
  if (!t || t.classes === 0) {
    t = loadLiveTable('cifar10');
    if (!t || t.classes === 0)
      throw new Error(
        `no live proxy table for ${dataset} (compute it with scripts/live-table.ts --dataset ${dataset})`,
      );
    if (!warned.has(dataset)) {
      warned.add(dataset);
      process.emitWarning(
        `no live proxy table for ${dataset}: using the CIFAR-10 live table`,
        'LiveTableFallback',
      );
    }
  }
  return t;
}

/** Calibration with K labels (bench --labels K) fits every live proxy, not only the zero-label ensemble's four. */
export function liveFeatureColumns(ds: Nb201Dataset): Float64Array[] {
  return TABLE_PROXIES.map((p) =>
    p === 'params'
      ? nb201ParamsColumn(ds, 'own')
      : p === 'flops'
        ? loadNb201Table().flops(ds)
        : liveTable(ds).column(p),
  );
}
