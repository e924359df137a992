// What the LLM operator shows the model about a niche, rebuilt from the run's history at every call (so a
// resumed run renders the same prompts): the niche's memory table (every cell evaluated there, newest first,
// whether it is in the niche's Pareto archive now and which archive cell dominates it), the cells already taken
// this generation, last generation's proposals that were not evaluated and why, how many unseen cells remain,
// and how many novel crossover children the parents can still produce.

import type { Member, ProposeRequest } from '../operator.js';
import { dominates, nonDominated } from '../pareto.js';
import type { Niche } from '../partition.js';
import { hashString, Rng } from '../rng.js';
import type { SearchSpace } from '../space.js';
import { objectiveVector } from '../front.js';

export type Source = 'llm' | 'fill-in' | 'initial';

export interface MemoryRow<A> {
  member: Member<A>;
  inArchive: boolean;
  /** An archive member that dominates this one (rows outside the archive). */
  dominatedBy?: string;
  source: Source;
}

/** Where a member came from: the model, the built-in fill-in (generation ≥ 1), or the initial sample. */
export function sourceOf(m: Member<unknown>): Source {
  const op = m.operator;
  if (op !== undefined) {
    if (op.startsWith('llm:')) return 'llm';
    return m.generation === 0 ? 'initial' : 'fill-in';
  }
  // members without an operator (older callers): the built-in operator's rationales say what made them
  if (m.generation === 0) return 'initial';
  return /^(crossover of|mutation of|random sample in)/.test(m.rationale ?? '') ? 'fill-in' : 'llm';
}

export const objectiveVectorOf = (m: Member<unknown>, costs: readonly string[]): number[] =>
  objectiveVector(m.evaluation, costs, Infinity);

/** The niche's history (members evaluated in it before this generation), newest first, with archive marks. */
export function nicheRows<A>(req: ProposeRequest<A>): MemoryRow<A>[] {
  const costs = req.objectives.slice(1);
  const mine = req.evaluated.filter((m) => req.niche.contains(m.arch));
  const vecs = mine.map((m) => objectiveVectorOf(m as Member<unknown>, costs));
  const archive = new Set(nonDominated(vecs));
  const rows = mine.map((member, i): MemoryRow<A> => {
    const inArchive = archive.has(i);
    const row: MemoryRow<A> = { member, inArchive, source: sourceOf(member as Member<unknown>) };
    if (!inArchive) {
      // the dominating archive cell closest in the first cost (the comparison the model can learn most from)
      let best = -1;
      for (const j of archive)
        if (
          dominates(vecs[j]!, vecs[i]!) &&
          (best < 0 || Math.abs(vecs[j]![1]! - vecs[i]![1]!) < Math.abs(vecs[best]![1]! - vecs[i]![1]!))
        )
          best = j;
      if (best >= 0) row.dominatedBy = mine[best]!.id;
    }
    return row;
  });
  return rows.sort(
    (a, b) => b.member.generation - a.member.generation || (a.member.id < b.member.id ? -1 : 1),
  );
}

/** Units of a cost metric by its name (HW-NAS-Bench and the live evaluators: latency in ms, energy in mJ). */
export function unitOf(metric: string): string {
  if (/latency$/.test(metric)) return 'ms';
  if (/energy$/.test(metric)) return 'mJ';
  return '';
}

export function fmt(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return 'n/a';
  return Math.abs(v) >= 100 ? v.toFixed(1) : Number(v.toPrecision(4)).toString();
}

const SOURCE_LABEL: Record<Source, string> = { llm: 'llm', 'fill-in': 'fill-in', initial: 'initial' };

export interface RenderedMemory {
  text: string;
  shown: number;
  hidden: number;
}

/**
 * The memory table: one line per cell, newest first; the archive is always shown, other cells while the
 * character budget lasts (≈ 4 characters per token).
 */
export function renderMemory<A>(
  space: SearchSpace<A>,
  rows: readonly MemoryRow<A>[],
  costs: readonly string[],
  budgetChars: number,
): RenderedMemory {
  if (rows.length === 0) return { text: '(nothing evaluated in this niche yet)', shown: 0, hidden: 0 };
  const header = `id | gen | in archive (no: dominated by) | acc | ${costs.map((c) => `${c}${unitOf(c) ? ` (${unitOf(c)})` : ''}`).join(' | ')} | by | arch`;
  const line = (r: MemoryRow<A>): string => {
    const m = r.member;
    const arch = r.inArchive ? 'yes' : r.dominatedBy ? `no: ${r.dominatedBy}` : 'no';
    return [
      m.id,
      `g${m.generation}`,
      arch,
      m.evaluation.predictedAccuracy.toFixed(4),
      ...costs.map((c) => fmt(m.evaluation.hw[c])),
      SOURCE_LABEL[r.source],
      space.format(m.arch),
    ].join(' | ');
  };
  const lines = rows.map(line);
  let used = header.length + lines.filter((_, i) => rows[i]!.inArchive).reduce((n, l) => n + l.length + 1, 0);
  const keep = rows.map((r) => r.inArchive);
  rows.forEach((r, i) => {
    if (r.inArchive) return;
    if (used + lines[i]!.length + 1 > budgetChars) return;
    keep[i] = true;
    used += lines[i]!.length + 1;
  });
  const shown = keep.filter(Boolean).length;
  const hidden = rows.length - shown;
  const out = [header, ...lines.filter((_, i) => keep[i])];
  if (hidden)
    out.push(
      `(${hidden} older architecture${hidden === 1 ? '' : 's'} outside the archive not shown to save space; they were evaluated too)`,
    );
  return { text: out.join('\n'), shown, hidden };
}

/** Distinct (non-isomorphic) classes of an enumerable niche: canonical key → a representative. */
const classCache = new WeakMap<object, Map<string, Map<string, unknown>>>();

export function nicheClasses<A>(space: SearchSpace<A>, niche: Niche<A>): Map<string, A> | undefined {
  if (!space.enumerate || space.size === undefined || space.size > 200_000) return undefined;
  let bySpace = classCache.get(space);
  if (!bySpace) classCache.set(space, (bySpace = new Map()));
  // id and constraint identify the niche across partitions (a --no-partition run has one niche covering all)
  const key = `${niche.id}/${niche.constraint}`;
  let m = bySpace.get(key) as Map<string, A> | undefined;
  if (!m) {
    m = new Map();
    const dead = (a: A): number =>
      (space as unknown as { deadOps?: (a: A) => number[] }).deadOps?.(a).length ?? 0;
    for (const a of space.enumerate()) {
      if (!niche.contains(a)) continue;
      const k = space.canonicalKey(a);
      const prev = m.get(k);
      // the representative without ops on dead edges (cheapest on the device, same function)
      if (prev === undefined || dead(a) < dead(prev)) m.set(k, a);
    }
    bySpace.set(key, m as Map<string, unknown>);
  }
  return m;
}

/** Unseen classes of the niche (representatives), when the space is enumerable. */
export function unseenInNiche<A>(req: ProposeRequest<A>): { total: number; unseen: A[] } | undefined {
  const classes = nicheClasses(req.space, req.niche);
  if (!classes) return undefined;
  const unseen = [...classes.values()].filter((a) => req.isNovel(a));
  return { total: classes.size, unseen };
}

export interface CrossoverPlan {
  /** Distinct novel in-niche children reachable by crossover of the parents (a lower bound when sampled). */
  novel: number;
  /** Parent pairs with the most novel children, most first. */
  pairs: { a: string; b: string; children: number }[];
}

/**
 * How many novel crossover children the parents can produce inside the niche: per pair, distinct children from
 * repeated draws of the space's own crossover (exact for small slot spaces, a lower bound otherwise).
 */
export function crossoverPlan<A>(req: ProposeRequest<A>, parents: readonly Member<A>[]): CrossoverPlan {
  const { space, niche } = req;
  const rng = new Rng(hashString(`llm-crossover/${niche.id}/${req.generation}`));
  const parentKeys = new Set(parents.map((p) => space.canonicalKey(p.arch)));
  const all = new Set<string>();
  const pairs: CrossoverPlan['pairs'] = [];
  const list = parents.slice(0, 10);
  const draws = space.size !== undefined && space.size <= 200_000 ? 96 : 32;
  for (let i = 0; i < list.length; i++)
    for (let j = i + 1; j < list.length; j++) {
      const mine = new Set<string>();
      for (let t = 0; t < draws; t++) {
        const c = space.crossover(list[i]!.arch, list[j]!.arch, rng);
        const k = space.canonicalKey(c);
        if (mine.has(k) || parentKeys.has(k)) continue;
        if (!niche.contains(c) || !req.isNovel(c)) continue;
        mine.add(k);
      }
      for (const k of mine) all.add(k);
      if (mine.size) pairs.push({ a: list[i]!.id, b: list[j]!.id, children: mine.size });
    }
  // diverse pairs first: most children, then pairs that reuse a parent least
  pairs.sort((x, y) => y.children - x.children || (x.a + x.b < y.a + y.b ? -1 : 1));
  const picked: CrossoverPlan['pairs'] = [];
  const uses = new Map<string, number>();
  const rest = [...pairs];
  while (rest.length && picked.length < 3) {
    rest.sort(
      (x, y) =>
        (uses.get(x.a) ?? 0) + (uses.get(x.b) ?? 0) - ((uses.get(y.a) ?? 0) + (uses.get(y.b) ?? 0)) ||
        y.children - x.children,
    );
    const p = rest.shift()!;
    picked.push(p);
    uses.set(p.a, (uses.get(p.a) ?? 0) + 1);
    uses.set(p.b, (uses.get(p.b) ?? 0) + 1);
  }
  return { novel: all.size, pairs: picked };
}
