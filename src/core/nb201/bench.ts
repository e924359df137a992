// The search-quality benchmark of docs/benchmark.md (protocol v2, BENCHMARK_PROTOCOL): NB201 × 18 tasks, fixed
// budget of distinct predictor evaluations, reported front (ties collapsed, capped at 24 by crowding) scored
// with TRUE accuracy and latency (HV ratio, IGD, latency-range coverage, front size), mean ± std over seeds. Searchers: random, NSGA-II, LLM-NAS with the built-in
// operator (with and without partitioning) and the exhaustive-predictor ceiling.

import { latencyTasks, scoreSearch, taskIndices, type Nb201Task } from './benchmark.js';
import { calibrate, type Calibration } from './calibrate.js';
import { Nb201TableEvaluator, tablePredictorScores } from './evaluator.js';
import { nb201Partition } from './partition.js';
import type { SearchSpace } from '../space.js';
import { nb201Space, type Nb201Arch } from './space.js';
import { BuiltinOperator, type Operator } from '../operator.js';
import { selectNsga2 } from '../pareto.js';
import { singleNiche, type Partition } from '../partition.js';
import { Rng } from '../rng.js';
import { runSearch } from '../search.js';

export const SEARCHERS = [
  'random',
  'nsga2',
  'llm-nas-builtin',
  'llm-nas-builtin-nopartition',
  'llm-nas-builtin-livepartition',
  'exhaustive',
] as const;
/** The bench's default rows (the live-partition row runs when asked for with --searchers). */
export const DEFAULT_SEARCHERS = SEARCHERS.filter((s) => s !== 'llm-nas-builtin-livepartition');

export interface BenchRow {
  searcher: string;
  predictor: string;
  labels: number;
  task: string;
  hv_ratio_mean: number;
  hv_ratio_std: number;
  /** HV ratio of each seed (seed 0 first): the summary's ± is the std (ddof 0) of the per-seed means over tasks. */
  hv_ratio_seeds: number[];
  igd_mean: number;
  coverage_mean: number;
  evaluations_mean: number;
  /** Mean |F| of the reported (capped) front. */
  front_size_mean: number;
  /** Mean non-dominated size before the cap (ties collapsed). */
  uncapped_size_mean: number;
  wall_s: number;
  llm_calls?: number;
  tokens?: number;
}

export interface BenchOptions {
  budget: number;
  seeds: number;
  predictor: string;
  searchers: readonly string[];
  tasks?: Nb201Task[];
  generations?: number;
  /**
   * K labelled architectures per search (default 0 = zero labels): drawn at random from the task's space, their
   * true accuracy calibrates the predictor (nb201/calibrate.ts), and they count towards the budget.
   */
  labels?: number;
  /** Extra searchers (e.g. the LLM operator) by name → operator factory. */
  operators?: Record<
    string,
    { operator: (space: SearchSpace<Nb201Arch>) => Operator<Nb201Arch>; partition: boolean }
  >;
  onRow?: (row: BenchRow) => void;
}

/** Evaluated indices of one searcher run on one task (the protocol scores its non-dominated subset). */
export async function runSearcher(
  searcher: string,
  task: Nb201Task,
  predictor: string,
  budget: number,
  seed: number,
  opts: Pick<BenchOptions, 'generations' | 'operators'> & {
    /** Scores computed here (a calibrated predictor, named `predictor`) instead of the named predictor's. */
    scores?: Float64Array;
  } = {},
): Promise<number[]> {
  const scores = opts.scores ? { name: predictor, values: opts.scores } : undefined;
  const pool = taskIndices(task);
  if (searcher === 'exhaustive') return pool;
  if (searcher === 'random') {
    const rng = new Rng(seed);
    return rng.shuffle([...pool]).slice(0, budget);
  }
  if (searcher === 'nsga2') return nsga2Baseline(task, predictor, budget, seed, 30, opts.scores);
  const extra = opts.operators?.[searcher];
  if (searcher.startsWith('llm-nas-builtin') || extra) {
    if (!extra && !(SEARCHERS as readonly string[]).includes(searcher))
      throw new Error(`unknown searcher "${searcher}"; valid: ${SEARCHERS.join(', ')}`);
    // -livepartition: the NB201 niches counted on live edges only (--partition live)
    const partition: Partition<Nb201Arch> = (
      extra ? extra.partition : searcher !== 'llm-nas-builtin-nopartition'
    )
      ? nb201Partition(searcher === 'llm-nas-builtin-livepartition' ? 'live' : 'raw')
      : singleNiche<Nb201Arch>();
    const evaluator = new Nb201TableEvaluator({
      dataset: task.dataset,
      predictor,
      metrics: task.metrics,
      required: task.metrics,
      ...(scores ? { scores } : {}),
    });
    const r = await runSearch({
      space: nb201Space,
      partition,
      evaluator,
      operator: extra ? extra.operator(nb201Space) : new BuiltinOperator<Nb201Arch>(),
      costMetrics: task.metrics,
      generations: opts.generations ?? 10,
      budget,
      seed,
    });
    return r.members.map((m) => nb201Space.index(m.arch));
  }
  throw new Error(
    `unknown searcher "${searcher}"; valid: ${[...SEARCHERS, ...Object.keys(opts.operators ?? {})].join(', ')}`,
  );
}

/**
 * NSGA-II baseline (Deb et al. 2002) on the whole space: population 30, binary tournament on (rank, crowding),
 * uniform crossover, per-edge mutation 1/6, stop at the budget of distinct evaluated cells.
 */
export function nsga2Baseline(
  task: Nb201Task,
  predictor: string,
  budget: number,
  seed: number,
  popSize = 30,
  /** Scores computed here (a calibrated predictor, named `predictor`) instead of the named predictor's. */
  scores?: Float64Array,
): number[] {
  const rng = new Rng(seed);
  const ev = new Nb201TableEvaluator({
    dataset: task.dataset,
    predictor,
    metrics: task.metrics,
    required: task.metrics,
    ...(scores ? { scores: { name: predictor, values: scores } } : {}),
  });
  const pred = scores ?? tablePredictorScores(task.dataset, predictor);
  const seen = new Set<number>();
  const evaluated: number[] = [];
  const vec = (i: number): number[] => {
    const e = ev.evaluateIndex(i);
    return [-pred[i]!, ...task.metrics.map((m) => e.hw[m]!)];
  };
  const tryAdd = (a: Nb201Arch): number | undefined => {
    const i = nb201Space.index(a);
    if (seen.has(i) || ev.admissible(a)) return undefined;
    seen.add(i);
    evaluated.push(i);
    return i;
  };
  let pop: number[] = [];
  for (let t = 0; pop.length < popSize && evaluated.length < budget && t < popSize * 100; t++) {
    const i = tryAdd(nb201Space.sample(rng));
    if (i !== undefined) pop.push(i);
  }
  let stale = 0;
  while (evaluated.length < budget && stale < 50) {
    const pts = pop.map(vec);
    const rank = new Map<number, number>();
    // rank = position in NSGA-II ordering (lower is better): front, then crowding
    selectNsga2(pts, pts.length).forEach((k, pos) => rank.set(k, pos));
    const tournament = (): number => {
      const a = rng.int(pop.length);
      const b = rng.int(pop.length);
      return rank.get(a)! < rank.get(b)! ? pop[a]! : pop[b]!;
    };
    const children: number[] = [];
    for (let t = 0; children.length < popSize && evaluated.length < budget && t < popSize * 20; t++) {
      const p1 = nb201Space.fromIndex(tournament());
      const p2 = nb201Space.fromIndex(tournament());
      const child = nb201Space.mutate(nb201Space.crossover(p1, p2, rng), rng, 1 / 6);
      const i = tryAdd(child);
      if (i !== undefined) children.push(i);
    }
    stale = children.length === 0 ? stale + 1 : 0;
    const merged = [...pop, ...children];
    pop = selectNsga2(merged.map(vec), popSize).map((k) => merged[k]!);
  }
  return evaluated;
}

function meanStd(xs: number[]): [number, number] {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.length > 1 ? xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1) : 0;
  return [m, Math.sqrt(v)];
}

export async function runBench(opts: BenchOptions): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const tasks = opts.tasks ?? latencyTasks();
  const k = opts.labels ?? 0;
  if (k >= opts.budget) throw new Error(`--labels ${k} must be below the budget ${opts.budget}`);
  // one calibration per task and seed (the same K labelled cells), shared by every searcher
  const calibrations = new Map<string, Calibration>();
  const calibrated = (task: Nb201Task, seed: number): { name: string; cal: Calibration } => {
    const name = `${opts.predictor}+${k}labels/${task.id}/${seed}`;
    let cal = calibrations.get(name);
    if (!cal) {
      const labelled = new Rng(`labels/${task.id}/${seed}`).shuffle([...taskIndices(task)]).slice(0, k);
      const c = calibrate(task.dataset, opts.predictor, labelled);
      calibrations.set(name, (cal = c));
    }
    return { name, cal };
  };
  for (const searcher of opts.searchers) {
    for (const task of tasks) {
      const t0 = Date.now();
      const pred = tablePredictorScores(task.dataset, opts.predictor);
      const seeds = searcher === 'exhaustive' ? 1 : opts.seeds;
      const hv: number[] = [];
      const igd: number[] = [];
      const cov: number[] = [];
      const evals: number[] = [];
      const sizes: number[] = [];
      const uncapped: number[] = [];
      for (let seed = 0; seed < seeds; seed++) {
        let idx: number[];
        let scores: ArrayLike<number> = pred;
        if (k > 0) {
          const { name, cal } = calibrated(task, seed);
          const found = await runSearcher(searcher, task, name, opts.budget - k, seed, {
            ...opts,
            scores: cal.scores,
          });
          idx = [...new Set([...cal.labelled, ...found])];
          scores = cal.scores;
        } else idx = await runSearcher(searcher, task, opts.predictor, opts.budget, seed, opts);
        const s = scoreSearch(task, idx, scores);
        hv.push(s.hvRatio);
        igd.push(s.igd);
        cov.push(s.coverage);
        evals.push(idx.length);
        sizes.push(s.frontSize);
        uncapped.push(s.uncappedSize);
      }
      const [hvm, hvs] = meanStd(hv);
      const row: BenchRow = {
        searcher,
        predictor: opts.predictor,
        labels: k,
        task: task.id,
        hv_ratio_mean: hvm,
        hv_ratio_std: hvs,
        hv_ratio_seeds: hv,
        igd_mean: meanStd(igd)[0],
        coverage_mean: meanStd(cov)[0],
        evaluations_mean: meanStd(evals)[0],
        front_size_mean: meanStd(sizes)[0],
        uncapped_size_mean: meanStd(uncapped)[0],
        wall_s: (Date.now() - t0) / 1000,
      };
      rows.push(row);
      opts.onRow?.(row);
    }
  }
  return rows;
}

/**
 * Rule 8's spread: the std (ddof 0) over seeds of the mean over tasks; undefined for one seed (exhaustive) or
 * rows with different seed counts.
 */
export function seedStd(rows: readonly BenchRow[]): number | undefined {
  const k = rows[0]?.hv_ratio_seeds.length ?? 0;
  if (k < 2 || rows.some((r) => r.hv_ratio_seeds.length !== k)) return undefined;
  const means = Array.from(
    { length: k },
    (_, s) => rows.reduce((a, r) => a + r.hv_ratio_seeds[s]!, 0) / rows.length,
  );
  const m = means.reduce((a, b) => a + b, 0) / k;
  return Math.sqrt(means.reduce((a, b) => a + (b - m) ** 2, 0) / k);
}

/** Markdown summary: per searcher, mean over tasks (± std over seeds), the worst task and the mean |F|. */
export function benchMarkdown(rows: BenchRow[]): string {
  const by = new Map<string, BenchRow[]>();
  for (const r of rows) by.set(r.searcher, [...(by.get(r.searcher) ?? []), r]);
  const lines = [
    '| searcher | predictor | mean HV ratio | worst task (HV) | mean IGD | mean coverage | mean \\|F\\| | mean evals | wall s |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const [s, rs] of by) {
    const mean = (f: (r: BenchRow) => number): number => rs.reduce((a, r) => a + f(r), 0) / rs.length;
    const worst = rs.reduce((w, r) => (r.hv_ratio_mean < w.hv_ratio_mean ? r : w));
    const sd = seedStd(rs);
    lines.push(
      `| ${s} | ${rs[0]!.predictor}${rs[0]!.labels ? ` + ${rs[0]!.labels} labels` : ''} | ${mean((r) => r.hv_ratio_mean).toFixed(4)}${sd !== undefined ? ` ± ${sd.toFixed(4)}` : ''} | ${worst.task} (${worst.hv_ratio_mean.toFixed(3)}) | ` +
        `${mean((r) => r.igd_mean).toFixed(3)} | ${mean((r) => r.coverage_mean).toFixed(2)} | ${mean((r) => r.front_size_mean).toFixed(1)} | ${mean((r) => r.evaluations_mean).toFixed(0)} | ` +
        `${rs.reduce((a, r) => a + r.wall_s, 0).toFixed(1)} |`,
    );
  }
  return lines.join('\n');
}
