// The objectives of an evaluation and the run's global front, in one place: the search loop, the run folder's
// front.json, the known fronts of other runs and the dashboard all build them the same way.

import { nonDominated } from './pareto.js';

/** What the objectives are read from: an Evaluation, or a front.json entry. */
export interface Scored {
  predictedAccuracy: number;
  hw?: Readonly<Record<string, number>>;
}

/**
 * The objective vector, every objective minimised: predicted accuracy negated, then the cost metrics in order.
 * A cost the evaluation lacks is `missing` (NaN by default: such a point compares with nothing).
 */
export function objectiveVector(e: Scored, costMetrics: readonly string[], missing = NaN): number[] {
  return [-e.predictedAccuracy, ...costMetrics.map((m) => e.hw?.[m] ?? missing)];
}

/** The non-dominated members of the niche archives' union, in archive order (an id is taken once). */
export function frontOfArchives<T extends { id: string }>(
  archives: Iterable<readonly T[]>,
  vec: (m: T) => number[],
): T[] {
  const seen = new Set<string>();
  const cands: T[] = [];
  for (const archive of archives)
    for (const m of archive) {
      if (seen.has(m.id)) continue;
      seen.add(m.id);
      cands.push(m);
    }
  return nonDominated(cands.map(vec)).map((i) => cands[i]!);
}

/** The global front: the non-dominated union of the niche archives, sorted by the first cost, then by id. */
export function globalFront<T extends { id: string }>(
  archives: Iterable<readonly T[]>,
  vec: (m: T) => number[],
): T[] {
  return frontOfArchives(archives, vec).sort((a, b) => vec(a)[1]! - vec(b)[1]! || (a.id < b.id ? -1 : 1));
}
