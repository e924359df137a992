// The evolution operator contract: given a niche, its Pareto parents and the knowledge base, propose new
// candidate architectures with a rationale. The built-in operator (crossover p = 0.5, per-slot mutation,
// niche-aware repair) implements it here; the LLM operator implements the same contract, so the loop never
// changes when one replaces the other.

import type { Evaluation } from './evaluator.js';
import type { Niche } from './partition.js';
import type { Rng } from './rng.js';
import type { SearchSpace } from './space.js';

/** An evaluated member of a niche, as shown to an operator. */
export interface Member<A> {
  id: string;
  arch: A;
  evaluation: Evaluation;
  generation: number;
  rationale?: string;
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
}

export interface Operator<A> {
  readonly id: string;
  /** Same request (incl. rng state) → same proposals. Resume replays a deterministic operator exactly. */
  readonly deterministic: boolean;
  propose(req: ProposeRequest<A>): Promise<RawCandidate[]>;
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
  /** Per-slot mutation probability; default 1 / (number of slots) is chosen by the space's mutate. */
  mutationRate: number;
}

/** Built-in operator: the paper's "without LLM" ablation, and the fallback when the LLM falls short. */
export class BuiltinOperator<A> implements Operator<A> {
  readonly id = 'builtin';
  readonly deterministic = true;
  constructor(private readonly opts: BuiltinOptions = { crossoverProbability: 0.5, mutationRate: 1 / 6 }) {}

  propose(req: ProposeRequest<A>): Promise<RawCandidate[]> {
    const { space, niche, parents, rng } = req;
    const out: RawCandidate[] = [];
    if (parents.length === 0) return Promise.resolve(out);
    for (let i = 0; i < req.count; i++) {
      let child: A;
      let operator: string;
      let from: Member<A>[];
      if (parents.length >= 2 && rng.next() < this.opts.crossoverProbability) {
        const a = rng.pick(parents);
        let b = rng.pick(parents);
        for (let t = 0; t < 4 && b === a; t++) b = rng.pick(parents);
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
      out.push({ spec: space.format(child), rationale, operator, parents: from.map((m) => m.id) });
    }
    return Promise.resolve(out);
  }
}
