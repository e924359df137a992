// The LLM-NAS loop: complexity niches evolve concurrently, each with its own population and Pareto archive.
// Per niche and generation: take the knowledge base in force, ask the operator for candidates from the niche's
// Pareto parents, validate them (legal, novel, inside the niche), re-ask with the rejection reasons a bounded
// number of times, fill any gap with the built-in operator, evaluate, then update population (NSGA-II) and
// archive. The global front is the non-dominated union of the niche archives.

import { CandidateFailure } from './errors.js';
import { EvaluationService, type Evaluation, type Evaluator } from './evaluator.js';
import type { EvaluatedRecord, SearchEvent } from './events.js';
import { globalFront, objectiveVector } from './front.js';
import {
  BuiltinOperator,
  repairIntoNiche,
  type CandidateOutcome,
  type Member,
  type Operator,
  type ProposeRequest,
  type RawCandidate,
} from './operator.js';
import { nonDominated, selectNsga2 } from './pareto.js';
import type { Niche, Partition } from './partition.js';
import { Rng } from './rng.js';
import type { SearchSpace } from './space.js';
import { Validator } from './validator.js';

export interface SearchOptions<A> {
  space: SearchSpace<A>;
  partition: Partition<A>;
  evaluator: Evaluator<A>;
  operator: Operator<A>;
  /** Cost objectives (minimised), names of evaluator hw metrics; predicted accuracy is always maximised. */
  costMetrics: readonly string[];
  generations: number;
  /** Distinct evaluations for the whole run, split evenly over the niches. */
  budget: number;
  /** Children per niche per generation (default: the niche's budget spread over the generations). */
  children?: number;
  /** Initial population per niche (generation 0; default = children). */
  initial?: number;
  populationSize?: number;
  /** Share each generation's children by front contribution (default) instead of evenly. */
  adaptive?: boolean;
  seed: number;
  /** Re-asks of the operator with rejection reasons before the built-in operator fills the gap (MAX_REASKS). */
  maxReasks?: number;
  signal?: AbortSignal;
  /** Knowledge base text in force for a niche, read at each generation boundary (user edits apply there). */
  knowledge?: (niche: Niche<A>, generation: number) => Promise<string> | string;
  /** Awaited at each generation boundary (pause/resume lives here). */
  gate?: (niche: Niche<A>, generation: number) => Promise<void>;
  onEvent?: (e: SearchEvent) => void;
  restore?: RestoreState;
}

/** What resume hands back: every recorded evaluation, and each niche's last completed generation. */
export interface RestoreState {
  records: EvaluatedRecord[];
  completed: Map<
    number,
    { generation: number; population: string[]; archive: string[]; exhausted?: boolean }
  >;
  /** Recorded per-generation children plans (so an interrupted generation is replayed with the same plan). */
  plans: Map<number, number[]>;
  /** The folder already holds search/completed: nothing is left to run. */
  finished?: boolean;
}

export interface SearchResult<A> {
  members: Member<A>[];
  front: Member<A>[];
  evaluations: number;
  wallMs: number;
  niches: { niche: number; evaluations: number; archive: string[]; rejections: number; fallbacks: number }[];
}

/** Budget per niche: an even split, remainder to the first niches. */
export function nicheBudgets(budget: number, k: number): number[] {
  const base = Math.floor(budget / k);
  return Array.from({ length: k }, (_, i) => base + (i < budget % k ? 1 : 0));
}

// How hard a generation tries to fill its children before it gives up on the missing ones. Every loop also stops
// as soon as the generation has all it needs.

/** Re-asks of the operator, with the rejection reasons so far, after its first answer (SearchOptions.maxReasks). */
export const MAX_REASKS = 2;
/** Rounds of random sampling in the niche for a niche without parents yet (its initial population). */
export const INITIAL_SAMPLE_ROUNDS = 5;
/** Rounds of the built-in operator filling what the operator left short after its re-asks. */
export const FALLBACK_ROUNDS = 8;
/** Then rounds of random sampling in the niche, when the built-in operator too finds too few novel children. */
export const FALLBACK_SAMPLE_ROUNDS = 3;

export async function runSearch<A>(opts: SearchOptions<A>): Promise<SearchResult<A>> {
  const t0 = Date.now();
  const loop: Loop<A> = {
    opts,
    emit: opts.onEvent ?? (() => {}),
    signal: opts.signal ?? new AbortController().signal,
    evals: new EvaluationService(opts.space, opts.evaluator, opts.budget),
    // the built-in operator fills what another operator leaves short; a built-in run's own options (surrogate,
    // …) fill its own gaps, so a run configured with them is that configuration throughout
    fallback: opts.operator instanceof BuiltinOperator ? opts.operator : new BuiltinOperator<A>(),
    maxReasks: opts.maxReasks ?? MAX_REASKS,
    objectiveNames: ['predicted accuracy', ...opts.costMetrics],
    vec: (m) => objectiveVector(m.evaluation, opts.costMetrics),
  };
  const { emit, signal, vec } = loop;
  const states = restoreNiches(loop);

  // What operators may learn from: everything evaluated before this generation, in a canonical order, so
  // concurrent niches and resumed runs see exactly the same history.
  const historyBefore = (gen: number): Member<A>[] =>
    states
      .flatMap((x) => x.members)
      .filter((m) => m.generation < gen)
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  // Generations advance in lock-step: niches run concurrently inside a generation, and each generation's
  // children are shared out by how much each niche's archive contributes to the global front.
  const firstGen = Math.min(...states.map((s) => s.nextGen));
  for (let gen = firstGen; gen < opts.generations; gen++) {
    signal.throwIfAborted();
    const plan = opts.restore?.plans.get(gen) ?? planGeneration(states, gen, opts, vec);
    emit({ type: 'generation/planned', generation: gen, children: plan });
    const history = historyBefore(gen);
    await Promise.all(
      states.map((st) =>
        st.nextGen <= gen ? runGeneration(loop, st, gen, plan[st.niche.id]!, history) : Promise.resolve(),
      ),
    );
  }
  for (const st of states)
    emit({ type: 'niche/state', niche: st.niche.id, generation: opts.generations, state: 'done' });

  const allMembers = states
    .flatMap((s) => s.members)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const front = globalFront(
    states.map((s) => s.archive),
    vec,
  );
  const wallMs = Date.now() - t0;
  emit({ type: 'search/completed', front: front.map((m) => m.id), evaluations: allMembers.length, wallMs });
  return {
    members: allMembers,
    front,
    evaluations: allMembers.length,
    wallMs,
    niches: states.map((s) => ({
      niche: s.niche.id,
      evaluations: s.members.length,
      archive: s.archive.map((m) => m.id),
      rejections: s.rejections,
      fallbacks: s.fallbacks,
    })),
  };
}

/** What every step of the loop shares: the options, the event sink, the evaluation cache and the fallback. */
interface Loop<A> {
  opts: SearchOptions<A>;
  emit: (e: SearchEvent) => void;
  signal: AbortSignal;
  evals: EvaluationService<A>;
  fallback: BuiltinOperator<A>;
  maxReasks: number;
  objectiveNames: string[];
  vec: (m: Member<A>) => number[];
}

interface NicheRun<A> {
  niche: Niche<A>;
  budget: number;
  validator: Validator<A>;
  population: Member<A>[];
  archive: Member<A>[];
  members: Member<A>[];
  previous: CandidateOutcome<A>[];
  rejections: number;
  fallbacks: number;
  nextGen: number;
  partial: EvaluatedRecord[];
  exhausted: boolean;
}

/** A validated candidate waiting for its evaluation. */
interface Accepted<A> {
  arch: A;
  cand: RawCandidate;
}

/**
 * Restore: one state per niche. On resume, every recorded evaluation primes the cache; a niche gets back the
 * members of its completed generations (seen by its validator), their population and archive, and keeps the
 * records of an interrupted generation apart (`partial`).
 */
function restoreNiches<A>(loop: Loop<A>): NicheRun<A>[] {
  const { opts, evals } = loop;
  const budgets = nicheBudgets(opts.budget, opts.partition.niches.length);
  const adaptive = opts.adaptive ?? true;
  for (const r of opts.restore?.records ?? []) evals.prime(opts.space.parse(r.spec), r.evaluation);
  const toMember = (r: EvaluatedRecord): Member<A> => ({
    id: r.id,
    arch: opts.space.parse(r.spec),
    evaluation: r.evaluation,
    generation: r.generation,
    rationale: r.rationale,
    operator: r.operator,
  });
  return opts.partition.niches.map((niche) => {
    const st: NicheRun<A> = {
      niche,
      budget: adaptive ? opts.budget : budgets[niche.id]!,
      validator: new Validator(opts.space, opts.evaluator.admissible?.bind(opts.evaluator)),
      population: [],
      archive: [],
      members: [],
      previous: [],
      rejections: 0,
      fallbacks: 0,
      nextGen: 0,
      partial: [],
      exhausted: false,
    };
    if (opts.restore) {
      const done = opts.restore.completed.get(niche.id);
      for (const r of opts.restore.records.filter((x) => x.niche === niche.id)) {
        if (done && r.generation <= done.generation) {
          const m = toMember(r);
          st.members.push(m);
          st.validator.markSeen(m.arch);
        } else st.partial.push(r);
      }
      if (done) {
        const byId = new Map(st.members.map((m) => [m.id, m]));
        st.population = done.population.map((id) => byId.get(id)!).filter(Boolean);
        st.archive = done.archive.map((id) => byId.get(id)!).filter(Boolean);
        st.nextGen = done.generation + 1;
        st.exhausted = done.exhausted ?? false;
      }
    }
    return st;
  });
}

/** One niche's generation: propose `want` children (as far as its budget allows), evaluate them, update. */
async function runGeneration<A>(
  loop: Loop<A>,
  st: NicheRun<A>,
  gen: number,
  want: number,
  history: Member<A>[],
): Promise<void> {
  const { opts, emit, signal } = loop;
  const niche = st.niche;
  const need = Math.min(want, st.budget - st.members.length);
  if (need <= 0 || st.exhausted) return;
  await opts.gate?.(niche, gen);
  signal.throwIfAborted();
  const kb = opts.knowledge ? await opts.knowledge(niche, gen) : '';
  emit({ type: 'niche/state', niche: niche.id, generation: gen, state: 'proposing' });
  const popSize = opts.populationSize ?? Math.max(2 * want, 10);
  const rng = Rng.derive(opts.seed, `niche-${niche.id}/gen-${gen}`);
  const proposal = propose(loop, st, gen, need, kb, rng, history);
  // the operator calls the proposal asks for are awaited here, one at a time, and nothing else is: niches running
  // concurrently interleave their events and evaluations exactly as when the steps were one function
  let next = proposal.next();
  while (!next.done) next = proposal.next(await next.value.operator.propose(next.value.request));
  signal.throwIfAborted();
  emit({ type: 'niche/state', niche: niche.id, generation: gen, state: 'evaluating' });
  const settled = await evaluate(loop, st, gen, next.value);
  update(loop, st, gen, settled, popSize);
}

/** An operator call a proposal asks for; its answer is handed back to the proposal. */
interface Ask<A> {
  operator: Operator<A>;
  request: ProposeRequest<A>;
}

/**
 * Propose: up to `need` valid, novel candidates inside the niche. A niche without parents samples at random;
 * otherwise the operator is asked, then re-asked with the rejection reasons (MAX_REASKS), and whatever is still
 * missing is filled by the built-in operator, then by random sampling. No candidate at all: the niche is
 * exhausted. Each operator call is yielded (an Ask) for the caller to await; the answer comes back in.
 */
function* propose<A>(
  loop: Loop<A>,
  st: NicheRun<A>,
  gen: number,
  need: number,
  kb: string,
  rng: Rng,
  history: Member<A>[],
): Generator<Ask<A>, Accepted<A>[], RawCandidate[]> {
  const { opts, emit, signal, fallback, maxReasks, vec } = loop;
  const niche = st.niche;
  const accepted: Accepted<A>[] = [];
  // a non-deterministic operator cannot replay an interrupted generation: keep what it already produced
  if (!opts.operator.deterministic) {
    for (const r of st.partial.filter((p) => p.generation === gen).slice(0, need)) {
      const arch = opts.space.parse(r.spec);
      st.validator.markSeen(arch);
      accepted.push({
        arch,
        cand: { spec: r.spec, rationale: r.rationale, operator: r.operator, parents: r.parents },
      });
    }
  }
  const parents = parentsOf(st.archive, st.population, vec);
  const feedback: string[] = [];
  const take = (cands: RawCandidate[], op: Operator<A>): void => {
    for (const c of cands) {
      if (accepted.length >= need) break;
      const v = st.validator.check(c.spec, niche);
      if (v.ok) accepted.push({ arch: v.arch, cand: c });
      else {
        st.rejections++;
        feedback.push(v.message);
        emit({
          type: 'candidate/rejected',
          niche: niche.id,
          generation: gen,
          kind: v.kind,
          message: `${op.id}: ${v.message}`,
        });
      }
    }
  };
  const request = (count: number, fb: string[]): ProposeRequest<A> => ({
    space: opts.space,
    niche,
    generation: gen,
    parents,
    knowledgeBase: kb,
    count,
    rng,
    signal,
    feedback: fb,
    previous: st.previous,
    objectives: loop.objectiveNames,
    evaluated: history,
    isNovel: (a: A) => !st.validator.isSeen(a),
    ...(opts.evaluator.knownCosts ? { knownCosts: (a: A) => opts.evaluator.knownCosts!(a) } : {}),
  });
  const sample = (): RawCandidate[] =>
    sampleInNiche(opts.space, niche, st.validator, need - accepted.length, rng);
  if (parents.length === 0) {
    for (let t = 0; t < INITIAL_SAMPLE_ROUNDS && accepted.length < need; t++) take(sample(), fallback);
  } else {
    for (let ask = 0; ask <= maxReasks && accepted.length < need; ask++) {
      take(
        yield { operator: opts.operator, request: request(need - accepted.length, [...feedback]) },
        opts.operator,
      );
    }
    if (accepted.length < need) {
      const before = accepted.length;
      for (let t = 0; t < FALLBACK_ROUNDS && accepted.length < need; t++)
        take(yield { operator: fallback, request: request(need - accepted.length, []) }, fallback);
      for (let t = 0; t < FALLBACK_SAMPLE_ROUNDS && accepted.length < need; t++) take(sample(), fallback);
      if (opts.operator.id !== fallback.id && accepted.length > before) {
        st.fallbacks += accepted.length - before;
        emit({
          type: 'operator/fallback',
          niche: niche.id,
          generation: gen,
          filled: accepted.length - before,
          reason: `${opts.operator.id} produced ${before} valid of ${need} after ${maxReasks} re-asks`,
        });
      }
    }
  }
  if (accepted.length === 0) {
    st.exhausted = true;
    emit({
      type: 'niche/exhausted',
      niche: niche.id,
      generation: gen,
      message: `no novel architecture left in ${niche.name}`,
    });
  }
  return accepted;
}

/** An evaluated candidate: the member it becomes, and its record for the run log. */
interface Evaluated<A> {
  member: Member<A>;
  rec: EvaluatedRecord;
}

/**
 * Evaluate: every accepted candidate at once, in proposal order. A candidate whose evaluation fails on its own
 * (CandidateFailure) is reported as rejected and comes back undefined; the run goes on.
 */
function evaluate<A>(
  loop: Loop<A>,
  st: NicheRun<A>,
  gen: number,
  accepted: Accepted<A>[],
): Promise<(Evaluated<A> | undefined)[]> {
  const { opts, emit, signal, evals } = loop;
  const niche = st.niche;
  return Promise.all(
    accepted.map(async ({ arch, cand }) => {
      let evaluation: Evaluation;
      try {
        evaluation = await evals.evaluate(arch, signal, { niche: niche.id });
      } catch (e) {
        // an evaluator may mark an error as this candidate's own failure (the external evaluator: a command that
        // crashed, hung or printed no JSON): the candidate is reported as failed and the run goes on
        if (!(e instanceof CandidateFailure) || signal.aborted) throw e;
        emit({
          type: 'candidate/rejected',
          niche: niche.id,
          generation: gen,
          kind: 'inadmissible',
          message: `evaluation failed: ${e.message}`,
        });
        return undefined;
      }
      const id = opts.space.fileId(arch);
      const member: Member<A> = {
        id,
        arch,
        evaluation,
        generation: gen,
        rationale: cand.rationale,
        operator: cand.operator,
      };
      const rec: EvaluatedRecord = {
        id,
        niche: niche.id,
        generation: gen,
        arch: opts.space.format(arch),
        spec: opts.space.toJSON(arch),
        operator: cand.operator,
        parents: cand.parents,
        rationale: cand.rationale,
        evaluation,
      };
      return { member, rec };
    }),
  );
}

/**
 * Update: the evaluated candidates join the niche's members (arch/evaluated), then the population by NSGA-II
 * selection, the archive (non-dominated) and last generation's outcomes (generation/completed).
 */
function update<A>(
  loop: Loop<A>,
  st: NicheRun<A>,
  gen: number,
  settled: (Evaluated<A> | undefined)[],
  popSize: number,
): void {
  const { vec } = loop;
  const evaluated = settled.filter((x): x is Evaluated<A> => x !== undefined);
  for (const { member, rec } of evaluated) {
    st.members.push(member);
    loop.emit({ type: 'arch/evaluated', ...rec });
  }
  const fresh = evaluated.map((e) => e.member);
  const pool = [...st.population, ...fresh];
  st.population = selectNsga2(pool.map(vec), popSize).map((i) => pool[i]!);
  const arch2 = [...st.archive, ...fresh];
  st.archive = nonDominated(arch2.map(vec)).map((i) => arch2[i]!);
  const inArchive = new Set(st.archive.map((m) => m.id));
  st.previous = fresh.map((m) => ({ member: m, enteredArchive: inArchive.has(m.id) }));
  st.nextGen = gen + 1;
  loop.emit({
    type: 'generation/completed',
    niche: st.niche.id,
    generation: gen,
    population: st.population.map((m) => m.id),
    archive: st.archive.map((m) => m.id),
    evaluations: st.members.length,
    exhausted: st.exhausted,
  });
}

/**
 * Children per niche for one generation. Generation 0 gives every niche its initial population. Later ones
 * spread the remaining budget evenly over the remaining generations, then share it out: a floor for every live
 * niche, the rest in proportion to the niche's members on the current global front (largest remainder).
 */
function planGeneration<A>(
  states: NicheRun<A>[],
  gen: number,
  opts: SearchOptions<A>,
  vec: (m: Member<A>) => number[],
): number[] {
  const k = states.length;
  const live = states.filter((s) => !s.exhausted);
  const adaptive = opts.adaptive ?? true;
  const used = states.reduce((n, s) => n + s.members.length, 0);
  const remainingBudget = opts.budget - used;
  if (opts.children !== undefined && !adaptive) return states.map(() => opts.children!);
  if (gen === 0) {
    const init = opts.initial ?? Math.max(1, Math.ceil(opts.budget / k / opts.generations));
    return states.map(() => Math.min(init, Math.floor(remainingBudget / k)));
  }
  const gensLeft = opts.generations - gen;
  const total = Math.ceil(remainingBudget / gensLeft);
  if (!adaptive) return states.map((s) => Math.ceil((s.budget - s.members.length) / gensLeft));
  const onFront = new Map<number, number>();
  for (const m of globalFront(
    states.map((s) => s.archive),
    vec,
  )) {
    const owner = states.find((s) => s.archive.includes(m))!;
    onFront.set(owner.niche.id, (onFront.get(owner.niche.id) ?? 0) + 1);
  }
  const floor = Math.min(1, Math.floor(total / Math.max(1, live.length)));
  const plan = states.map((s) => (s.exhausted ? 0 : floor));
  let rest = total - floor * live.length;
  // +2: a niche off the front keeps a fair share, so it can still find its way onto the front
  const weight = states.map((s) => (s.exhausted ? 0 : (onFront.get(s.niche.id) ?? 0) + 2));
  const wsum = weight.reduce((a, b) => a + b, 0);
  if (wsum > 0 && rest > 0) {
    const share = weight.map((w) => (w / wsum) * rest);
    share.forEach((x, i) => (plan[i]! += Math.floor(x)));
    rest -= share.reduce((n, x) => n + Math.floor(x), 0);
    const order = share
      .map((x, i) => [x - Math.floor(x), i] as const)
      .sort((a, b) => b[0] - a[0] || a[1] - b[1]);
    for (let j = 0; j < rest; j++) plan[order[j % order.length]![1]]!++;
  }
  return plan;
}

/** Pareto parents: the archive, topped up from the population by NSGA-II rank when the archive is tiny. */
function parentsOf<A>(
  archive: Member<A>[],
  population: Member<A>[],
  vec: (m: Member<A>) => number[],
): Member<A>[] {
  if (archive.length >= 4) return archive;
  const ids = new Set(archive.map((m) => m.id));
  const rest = population.filter((m) => !ids.has(m.id));
  const order = selectNsga2(rest.map(vec), Math.max(0, 4 - archive.length)).map((i) => rest[i]!);
  return [...archive, ...order];
}

/** Random novel architectures inside a niche: rejection sampling with repair, then enumeration if the space allows. */
export function sampleInNiche<A>(
  space: SearchSpace<A>,
  niche: Niche<A>,
  validator: Validator<A>,
  count: number,
  rng: Rng,
): RawCandidate[] {
  const out: RawCandidate[] = [];
  const keys = new Set<string>();
  const push = (a: A): void => {
    const k = space.canonicalKey(a);
    if (keys.has(k) || validator.isSeen(a)) return;
    keys.add(k);
    out.push({
      spec: space.format(a),
      rationale: `random sample in ${niche.name}`,
      operator: 'sample',
      parents: [],
    });
  };
  for (let t = 0; t < count * 50 && out.length < count; t++) {
    let a = space.sample(rng);
    if (!niche.contains(a)) {
      const fixed = repairIntoNiche(space, niche, a, rng);
      if (!fixed) continue;
      a = fixed;
    }
    push(a);
  }
  if (out.length < count && space.enumerate) {
    const pool = [...space.enumerate()].filter((a) => niche.contains(a));
    rng.shuffle(pool);
    for (const a of pool) {
      if (out.length >= count) break;
      push(a);
    }
  }
  return out;
}
