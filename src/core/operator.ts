// The evolution operator contract: given a niche, its Pareto parents and the knowledge base, propose new
// candidate architectures with a rationale. The built-in operator (crossover p = 0.5, per-slot mutation,
// niche-aware repair) implements it here; the LLM operator implements the same contract, so the loop never
// changes when one replaces the other.

import type { Evaluation } from './evaluator.js';
import type { KnowledgeHost } from './knowledge.js';
import type { Niche } from './partition.js';
import type { Rng } from './rng.js';
import type { SearchSpace } from './space.js';
import { objectiveVector } from './front.js';
import { crowdingDistance, nonDominatedSort } from './pareto.js';
import { KernelRidgeModel, RidgeModel } from './surrogate.js';

/** An evaluated member of a niche, as shown to an operator. */
export interface Member<A> {
  id: string;
  arch: A;
  evaluation: Evaluation;
  generation: number;
  rationale?: string;
  /** How it was made ("llm:mutation", "crossover", "sample", …): lets a prompt mark built-in fill-ins. */
  operator?: string;
}

/** A proposal before validation: `spec` is whatever the operator produced (an arch, text, JSON). */
export interface RawCandidate {
  spec: unknown;
  rationale: string;
  /** How it was made: "crossover", "mutation", "sample", "llm:crossover", ... */
  operator: string;
  parents: string[];
}

/** Last generation's outcome for one candidate (stage 1 of the co-evolution reads these). */
export interface CandidateOutcome<A> {
  member: Member<A>;
  enteredArchive: boolean;
}

export interface ProposeRequest<A> {
  space: SearchSpace<A>;
  niche: Niche<A>;
  generation: number;
  /** Pareto parents of the niche (archive first, then population by rank). */
  parents: readonly Member<A>[];
  /** Knowledge base text in force for this niche (global + niche sections). */
  knowledgeBase: string;
  count: number;
  rng: Rng;
  signal: AbortSignal;
  /** Rejection reasons from earlier tries in this generation (bounded re-ask). */
  feedback: readonly string[];
  /** Last generation's candidates with outcomes. */
  previous: readonly CandidateOutcome<A>[];
  /** Objective names in order, for describing members (e.g. ["predicted accuracy", "edgegpu_latency"]). */
  objectives: readonly string[];
  /** Every architecture the run has evaluated so far, all niches (for surrogates and for context). */
  evaluated: readonly Member<A>[];
  /** False when the validator would reject the architecture as a duplicate. */
  isNovel: (arch: A) => boolean;
  /**
   * The evaluator's hardware costs of an architecture when a lookup table gives them for free (no budget), else
   * undefined (Evaluator.knownCosts).
   */
  knownCosts?: (arch: A) => Record<string, number> | undefined;
}

/**
 * What a run hands its operator when its search starts or resumes (Operator.attachRun): the run folder, the
 * knowledge base, cancellation, and the run's channels for logs, budget stops and problems.
 */
export interface OperatorRun {
  /** The run folder (an operator may keep its own log there: the LLM operator's llm.jsonl). */
  dir: string;
  /** The search resumes from the folder: an operator may restore what its log recorded. */
  resume: boolean;
  /** The run's knowledge base (the folder's file, validated at every generation boundary). */
  knowledge: KnowledgeHost;
  /** Aborted on a user stop or a fatal error: work in flight (HTTP requests) ends. */
  signal: AbortSignal;
  /** What the operator's loadRecording returned, when the run replays a recorded run. */
  recording?: unknown;
  /** Appends one line to a file of the run folder, secrets redacted; nothing once the run has ended. */
  appendLine(file: string, line: string): void;
  /** A spending limit is reached: the search ends cleanly, resumable (no new call should start). */
  budgetStop(message: string): void;
  /** A problem the user should see (it does not stop the run). */
  problem(niche: number, generation: number, stage: string, message: string): void;
}

export interface Operator<A> {
  readonly id: string;
  /** Same request (incl. rng state) → same proposals. Resume replays a deterministic operator exactly. */
  readonly deterministic: boolean;
  propose(req: ProposeRequest<A>): Promise<RawCandidate[]>;
  // Optional lifecycle, for an operator with state outside the search (the LLM operator). A run calls them in
  // this order: secrets (when it is made), loadRecording (replay only), attachRun, then idle when it stops or fails.
  /** Secret values (an API key) the run keeps out of everything it writes. */
  secrets?(): readonly (string | undefined)[];
  /** Reads what a recorded run's folder holds for a replay (the LLM operator: its calls and replies). */
  loadRecording?(dir: string): unknown;
  /** Binds the operator to the run for its search. */
  attachRun?(run: OperatorRun): void;
  /** Resolves when none of the operator's work is in flight (a stopped or failed run waits for it). */
  idle?(): Promise<void>;
}

/**
 * Greedy niche-aware repair: walk to the neighbour closest to the niche (random tie-break) until inside.
 * Returns undefined if no progress is possible within `maxSteps`.
 */
export function repairIntoNiche<A>(
  space: SearchSpace<A>,
  niche: Niche<A>,
  arch: A,
  rng: Rng,
  maxSteps = 12,
): A | undefined {
  let cur = arch;
  let d = niche.distance(cur);
  for (let step = 0; step < maxSteps && d > 0; step++) {
    const ns = space.neighbours(cur);
    let best: A[] = [];
    let bestD = d;
    for (const n of ns) {
      const nd = niche.distance(n);
      if (nd < bestD) {
        bestD = nd;
        best = [n];
      } else if (nd === bestD && nd < d) best.push(n);
    }
    if (best.length === 0) return undefined;
    cur = rng.pick(best);
    d = bestD;
  }
  return d === 0 ? cur : undefined;
}

export interface BuiltinOptions {
  /** Probability of crossover (else mutation); the paper's 0.5. */
  crossoverProbability: number;
  /** Per-slot mutation probability. */
  mutationRate: number;
  /**
   * Surrogate-assisted selection: breed `poolFactor` × count children, rank them with ridge models fitted on
   * everything evaluated so far, and keep the best by non-dominated sorting against the niche's archive
   * (plus a share of unranked children for exploration). 0 turns it off.
   */
  poolFactor: number;
  /** Share of children taken at random from the pool, not by the surrogate. */
  exploreShare: number;
  /**
   * What the surrogate ranks the pool against: `global`, every architecture evaluated so far (a child counts when
   * it would join the run's front), or `niche`, the niche's Pareto parents only (the earlier rule: mean HV ratio
   * 0.935 against 0.941 for global, bench --predictor live --searchers llm-nas-builtin, 300 evaluations).
   */
  context: 'global' | 'niche';
  /**
   * The surrogate: `ridge` (linear in the encoding), or `kernel` (default), ridge plus a Gaussian-kernel ridge fit
   * of its residuals (KernelRidgeModel: width `kernelGamma`, penalty `kernelLambda`). Chosen without labels: the
   * settings that found most of the predictor's own exhaustive front at 300 evaluations (scripts/search-tune.ts,
   * "pred HV": ridge 0.9926, kernel γ 0.05 λ 0.03 0.9958, 18 tasks × 10 seeds, predictor live).
   */
  surrogate: 'ridge' | 'kernel';
  kernelGamma: number;
  kernelLambda: number;
}

export const DEFAULT_BUILTIN: BuiltinOptions = {
  crossoverProbability: 0.5,
  mutationRate: 1 / 6,
  poolFactor: 20,
  exploreShare: 0.2,
  context: 'global',
  surrogate: 'kernel',
  kernelGamma: 0.05,
  kernelLambda: 0.03,
};

type Model = { predict(x: readonly number[]): number };

/** Built-in operator: the paper's "without LLM" ablation, and the fallback when the LLM falls short. */
export class BuiltinOperator<A> implements Operator<A> {
  readonly id = 'builtin';
  readonly deterministic = true;
  private readonly opts: BuiltinOptions;
  constructor(opts: Partial<BuiltinOptions> = {}) {
    this.opts = { ...DEFAULT_BUILTIN, ...opts };
  }

  propose(req: ProposeRequest<A>): Promise<RawCandidate[]> {
    const { space } = req;
    const useSurrogate = this.opts.poolFactor > 0 && space.encode !== undefined && req.evaluated.length >= 20;
    if (!useSurrogate) return Promise.resolve(this.breed(req, req.count).map((c) => this.raw(req, c)));
    const costs = req.objectives.slice(1);
    // a child the lookup table has no cost for is outside the task's space (EdgeTPU): never worth a slot
    const bred = this.breed(req, req.count * this.opts.poolFactor, true).map((c) => ({
      c,
      known: req.knownCosts?.(c.arch),
    }));
    const kept = bred.filter(({ known }) => !known || costs.every((n) => !Number.isNaN(known[n])));
    const pool = kept.map((k) => k.c);
    if (pool.length <= req.count)
      return Promise.resolve(this.breed(req, req.count).map((c) => this.raw(req, c)));
    const encode = space.encode!.bind(space);
    const models = this.models(req, encode, costs);
    // costs a lookup table gives for free are used as they are; only the rest is guessed by the surrogate
    const guess = kept.map(({ c, known }) => {
      const x = encode(c.arch);
      return models.map((m, k) => (k > 0 ? known?.[costs[k - 1]!] : undefined) ?? m.predict(x));
    });
    const vecOf = (m: Member<A>): number[] => objectiveVector(m.evaluation, costs, 0);
    // what a child must improve on: everything evaluated so far (its place on the global front, which is what the
    // run reports), or only the niche's Pareto parents
    const archive = (this.opts.context === 'global' ? req.evaluated : req.parents).map(vecOf);
    const explore = Math.min(req.count - 1, Math.round(req.count * this.opts.exploreShare));
    const exploit = req.count - explore;
    const picked: number[] = [];
    const pickedKeys = new Set<string>();
    const pick = (i: number): void => {
      const k = space.canonicalKey(pool[i]!.arch);
      if (pickedKeys.has(k)) return;
      pickedKeys.add(k);
      picked.push(i);
    };
    // non-dominated sorting of archive ∪ pool in surrogate space; take pool members front by front, by crowding
    const all = [...archive, ...guess];
    for (const front of nonDominatedSort(all)) {
      const mine = front.filter((i) => i >= archive.length);
      const cd = crowdingDistance(all, front);
      mine.sort((a, b) => cd.get(b)! - cd.get(a)! || a - b);
      for (const i of mine) if (picked.length < exploit) pick(i - archive.length);
      if (picked.length >= exploit) break;
    }
    const rest = pool.map((_, i) => i).filter((i) => !pickedKeys.has(space.canonicalKey(pool[i]!.arch)));
    req.rng.shuffle(rest);
    for (const i of rest) if (picked.length < req.count) pick(i);
    return Promise.resolve(
      picked.map((i) => {
        const c = pool[i]!;
        const g = guess[i]!;
        const why =
          picked.indexOf(i) >= exploit
            ? 'exploration pick'
            : `surrogate: acc≈${(-g[0]!).toFixed(3)}${costs.map((name, k) => `, ${name}≈${g[k + 1]!.toFixed(3)}`).join('')}`;
        return this.raw(req, { ...c, rationale: `${c.rationale} (${why})` });
      }),
    );
  }

  /** Surrogates per history snapshot: all niches of a generation share one history, so fit once. */
  private readonly fitted = new WeakMap<readonly Member<A>[], Model[]>();

  private models(req: ProposeRequest<A>, encode: (a: A) => number[], costs: readonly string[]): Model[] {
    let m = this.fitted.get(req.evaluated);
    if (!m) {
      const xs = req.evaluated.map((e) => encode(e.arch));
      const o = this.opts;
      const fit = (ys: number[]): Model =>
        o.surrogate === 'kernel'
          ? KernelRidgeModel.fit(xs, ys, o.kernelGamma, o.kernelLambda)
          : RidgeModel.fit(xs, ys);
      // a cost model is fitted when first asked for (a lookup table's costs need none)
      const lazy = (ys: number[]): Model => {
        let f: Model | undefined;
        return { predict: (x) => (f ??= fit(ys)).predict(x) };
      };
      m = [
        fit(req.evaluated.map((e) => -e.evaluation.predictedAccuracy)),
        ...costs.map((c) => lazy(req.evaluated.map((e) => e.evaluation.hw[c] ?? 0))),
      ];
      this.fitted.set(req.evaluated, m);
    }
    return m;
  }

  private raw(req: ProposeRequest<A>, c: Child<A>): RawCandidate {
    return {
      spec: req.space.format(c.arch),
      rationale: c.rationale,
      operator: c.operator,
      parents: c.parents,
    };
  }

  /**
   * Up to `n` distinct, novel children inside the niche by crossover (p) or mutation, repaired when needed.
   * `byVariant` keeps isomorphic variants apart (the surrogate then chooses which variant of a class to spend
   * budget on — e.g. the one without a costly dead convolution).
   */
  /** Up to `n` distinct, novel children inside the niche by crossover (p) or mutation, repaired when needed. */
  private breed(req: ProposeRequest<A>, n: number, byVariant = false): Child<A>[] {
    const { space, niche, parents, rng } = req;
    const out: Child<A>[] = [];
    const keys = new Set<string>();
    if (parents.length === 0) return out;
    for (let t = 0; t < n * 3 && out.length < n; t++) {
      let child: A;
      let operator: string;
      let from: Member<A>[];
      if (parents.length >= 2 && rng.next() < this.opts.crossoverProbability) {
        const a = rng.pick(parents);
        let b = rng.pick(parents);
        for (let k = 0; k < 4 && b === a; k++) b = rng.pick(parents);
        child = space.crossover(a.arch, b.arch, rng);
        operator = 'crossover';
        from = [a, b];
      } else {
        const a = rng.pick(parents);
        child = space.mutate(a.arch, rng, this.opts.mutationRate);
        operator = 'mutation';
        from = [a];
      }
      let rationale = `${operator} of ${from.map((m) => m.id).join(' × ')}`;
      if (!niche.contains(child)) {
        const fixed = repairIntoNiche(space, niche, child, rng);
        if (fixed === undefined) continue;
        child = fixed;
        rationale += `, repaired into ${niche.name} (${niche.constraint})`;
      }
      const key = byVariant ? space.format(child) : space.canonicalKey(child);
      if (keys.has(key) || !req.isNovel(child)) continue;
      keys.add(key);
      out.push({ arch: child, rationale, operator, parents: from.map((m) => m.id) });
    }
    return out;
  }
}

interface Child<A> {
  arch: A;
  rationale: string;
  operator: string;
  parents: string[];
}
