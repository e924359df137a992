// The live zero-cost evaluator for NAS-Bench-201 (predictor id `live`): builds each candidate's real network and
// scores it with the live proxies in worker threads, through a persistent score cache; predicted accuracy is the
// label-free rank ensemble; hardware metrics and the (hidden) true accuracy come from the NB201 table.

import type { Evaluation, Evaluator, PredictorInfo } from '../evaluator.js';
import { nb201Space, type Nb201Arch } from './space.js';
import { nb201Admissible, nb201Costs, nb201Degenerate } from './evaluator.js';
import { HW_METRICS, loadNb201Table, type HwMetric, type Nb201Dataset } from './table.js';
import { ScoreCache } from '../engine/cache.js';
import { LIVE_RULES, RankEnsemble, type LiveRule } from './live-ensemble.js';
import { checkNb201Ops } from './net.js';
import { livePool, WorkerPool } from '../engine/pool.js';
import {
  DEFAULT_SETTINGS,
  LIVE_PROXIES,
  settingsKey,
  type LiveProxy,
  type ProxyScores,
  type ProxySettings,
} from '../engine/settings.js';
import {
  loadLiveTable,
  loadLiveTableRepeats,
  nb201Representative,
  repeatsSettings,
  type LiveTable,
} from './live-table.js';

export interface LiveEvaluatorOptions {
  dataset: Nb201Dataset;
  metrics?: readonly HwMetric[];
  required?: readonly HwMetric[];
  settings?: ProxySettings;
  pool?: WorkerPool;
  cache?: ScoreCache;
  /** Reference distribution for the rank ensemble; default: the shipped full-space table of the dataset. */
  reference?: Partial<Record<LiveProxy, ArrayLike<number>>>;
  /** Cells scored to build a reference when no table is shipped (seeded, label-free). */
  referenceSample?: number;
  /**
   * Weight seeds per cell (default 1): the proxies are averaged over seeds settings.seed … seed + repeats − 1
   * (fresh weights and Gaussian inputs; the image batch is fixed), which removes per-cell noise at `repeats`
   * times the cost. Each seed's scores are cached on their own.
   */
  repeats?: number;
  /**
   * The label-free rule (live-ensemble.ts LIVE_RULES; run setting spaceOptions.liveRule): `ensemble` (default) or
   * `az-nas`, AZ-NAS's rule in its paper's settings. It sets the default proxy settings and the ensemble.
   */
  rule?: LiveRule;
}

/** The proxy settings a rule computes (its proxies; AZ-NAS's own pass for `az-nas`). */
export function ruleSettings(rule: LiveRule): ProxySettings {
  const r = LIVE_RULES[rule];
  return r.azBatch ? { ...DEFAULT_SETTINGS, azBatch: r.azBatch, proxies: r.proxies } : DEFAULT_SETTINGS;
}

/** Mean of each proxy over several seeds' scores (−∞ stays −∞: a disconnected cell). */
export function meanScores(all: readonly ProxyScores[]): ProxyScores {
  const out: ProxyScores = {};
  for (const p of LIVE_PROXIES) {
    const vs = all.map((s) => s[p]).filter((v): v is number => v !== undefined);
    if (vs.length === all.length && vs.length > 0) out[p] = vs.reduce((a, b) => a + b, 0) / vs.length;
  }
  return out;
}

export class LiveNb201Evaluator implements Evaluator<Nb201Arch> {
  readonly id = 'nb201-live';
  readonly predictor: PredictorInfo;
  readonly metrics: readonly HwMetric[];
  readonly settings: ProxySettings;
  private readonly pool: WorkerPool;
  private readonly cache: ScoreCache;
  private ensemble?: Promise<RankEnsemble>;
  private readonly rule: LiveRule;

  constructor(private readonly opts: LiveEvaluatorOptions) {
    this.rule = opts.rule ?? 'ensemble';
    this.settings = opts.settings ?? ruleSettings(this.rule);
    const { proxies, aggregation } = LIVE_RULES[this.rule];
    this.metrics = opts.metrics ?? HW_METRICS;
    this.pool = opts.pool ?? livePool();
    this.cache = opts.cache ?? new ScoreCache();
    this.predictor = {
      id: 'live',
      unit: `${aggregation} mean of the rank percentiles (0..1) of live ${proxies.join(', ')} (computed on the network, onnxruntime; ${this.rule === 'az-nas' ? `AZ-NAS's rule, its terms on ${this.settings.azBatch} Gaussian-noise inputs` : "each cell's own params"}${(opts.repeats ?? 1) > 1 ? `; proxies averaged over ${opts.repeats} weight seeds` : ''})`,
      labels: 0,
    };
  }

  admissible(arch: Nb201Arch): string | null {
    return nb201Admissible(arch, this.opts.dataset, this.opts.required);
  }

  /** Exact cell: isomorphic cells have their own measured latencies. */
  cacheKey(arch: Nb201Arch): string {
    return nb201Space.format(arch);
  }

  knownCosts(arch: Nb201Arch): Record<string, number> {
    return nb201Costs(nb201Space.index(arch), this.opts.dataset, this.metrics);
  }

  /** Raw proxy scores of a cell (averaged over `repeats` weight seeds), cached per seed. */
  async scores(arch: Nb201Arch, signal?: AbortSignal): Promise<ProxyScores> {
    const r = this.opts.repeats ?? 1;
    if (r <= 1) return this.scoresAt(arch, this.settings, signal);
    const all = await Promise.all(
      Array.from({ length: r }, (_, k) =>
        this.scoresAt(arch, { ...this.settings, seed: this.settings.seed + k }, signal),
      ),
    );
    return meanScores(all);
  }

  private async scoresAt(
    arch: Nb201Arch,
    settings: ProxySettings,
    signal?: AbortSignal,
  ): Promise<ProxyScores> {
    const ops = checkNb201Ops(arch);
    // the proxy set is part of the key when it is not the default one (a cached default entry has no AZ terms)
    const set =
      settings.proxies.join(',') === DEFAULT_SETTINGS.proxies.join(',')
        ? ''
        : `|${settings.proxies.join(',')}`;
    const key = `nb201:${nb201Space.canonicalKey(ops)}|${settingsKey(this.opts.dataset, settings)}${set}`;
    const hit = this.cache.get(key);
    // an entry of an earlier default (more proxies) answers with the ones asked for: the same cell gives the same
    // evaluation whatever the cache holds
    if (hit && settings.proxies.every((p) => p in hit))
      return Object.fromEntries(settings.proxies.map((p) => [p, hit[p]])) as ProxyScores;
    // score the class representative (an isomorphic network): same value as the shipped table, independent of
    // which member of the class a search meets first
    const rep = nb201Representative(ops);
    const s = await this.pool.score(
      { space: 'nb201', dataset: this.opts.dataset, ops: rep, settings },
      signal,
    );
    this.cache.put(key, s);
    return s;
  }

  private rankEnsemble(signal?: AbortSignal): Promise<RankEnsemble> {
    this.ensemble ??= this.buildEnsemble(signal);
    return this.ensemble;
  }

  private async buildEnsemble(signal?: AbortSignal): Promise<RankEnsemble> {
    const { proxies, aggregation } = LIVE_RULES[this.rule];
    const ensemble = (ref: Partial<Record<LiveProxy, ArrayLike<number>>>): RankEnsemble =>
      new RankEnsemble(ref, proxies, aggregation);
    if (this.opts.reference) return ensemble(this.opts.reference);
    const key = settingsKey(this.opts.dataset, this.settings);
    const r = this.opts.repeats ?? 1;
    const base = loadLiveTable(this.opts.dataset);
    const complete = (t: LiveTable | null, settings: string): LiveTable | null =>
      t && base && t.settings === settings && t.classes === base.classes ? t : null;
    // AZ-NAS's own pass (azBatch) ranks among its own table part (scripts/live-table.ts --az-batch N, with the
    // benchmark's FLOPs); averaged repeats among the shipped tables averaged the same way, when every seed's table
    // is complete; otherwise among the seed-0 table (an average of R seeds is a little less spread than one seed's)
    const table = this.settings.azBatch
      ? complete(loadLiveTable(this.opts.dataset, `az${this.settings.azBatch}`), key)
      : (complete(r > 1 ? loadLiveTableRepeats(this.opts.dataset, r) : null, repeatsSettings(key, r)) ??
        (base && base.settings === key ? base : null));
    if (table && table.classes > 0) {
      const ref: Partial<Record<LiveProxy, Float64Array>> = {};
      for (const p of LIVE_PROXIES) ref[p] = table.column(p);
      return ensemble(ref);
    }
    // no table for these settings: a seeded reference sample of cells, scored like any candidate (no labels)
    const n = this.opts.referenceSample ?? 64;
    const cols: Record<string, number[]> = {};
    const picks = Array.from({ length: n }, (_, k) =>
      nb201Space.fromIndex((k * 7919 + 13) % nb201Space.size),
    );
    const all = await Promise.all(
      picks.map(async (a) => this.ownCounts(await this.scores(a, signal), nb201Space.index(a))),
    );
    for (const s of all) for (const p of LIVE_PROXIES) (cols[p] ??= []).push(s[p] ?? NaN);
    return ensemble(cols);
  }

  /**
   * The class's network scores the data proxies; params and FLOPs are the cell's own (dead edges included, as
   * NB201 builds them), read from the benchmark table, which counts exactly as the live network does.
   */
  private ownCounts(s: ProxyScores, i: number): ProxyScores {
    const t = loadNb201Table();
    const own: ProxyScores = { ...s };
    if (own.params !== undefined) own.params = t.params(this.opts.dataset)[i]!;
    if (own.flops !== undefined) own.flops = t.flops(this.opts.dataset)[i]!;
    return own;
  }

  async evaluate(arch: Nb201Arch, signal?: AbortSignal): Promise<Evaluation> {
    const [proxies, ensemble] = await Promise.all([this.scores(arch, signal), this.rankEnsemble(signal)]);
    const i = nb201Space.index(arch);
    const t = loadNb201Table();
    const hw = nb201Costs(i, this.opts.dataset, this.metrics);
    const own = this.ownCounts(proxies, i);
    const raw: Record<string, number> = {};
    for (const [k, v] of Object.entries(own)) raw[k] = v;
    const e: Evaluation = {
      predictedAccuracy: ensemble.predict(own),
      proxies: raw,
      hw,
      trueAccuracy: t.testAccuracy(this.opts.dataset)[i]!,
    };
    const d = nb201Degenerate(arch);
    if (d) e.degenerate = d;
    return e;
  }
}
