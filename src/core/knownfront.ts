// The best front known for a task without ground truth (FBNet, AutoFormer, user spaces): the non-dominated union
// of the fronts that runs of the same task (space, dataset, predictor, cost metrics) left in a runs folder, and a
// run's HV measured against it. Objectives are minimised: [−predicted score, ...costs], as the search ranks them.
// The predicted score is the predictor's own (a percentile or a proxy score), so only runs with the same
// predictor are comparable; the ratio says how close a front comes to the best seen, not to a true optimum.

import fs from 'node:fs';
import path from 'node:path';
import { boundsOf, hypervolume2d, hypervolume3d, normalise } from './metrics.js';
import { objectiveVector } from './front.js';
import { nonDominated, type Objectives } from './pareto.js';
import type { FrontFile } from './run.js';

export interface Task {
  space: string;
  dataset: string;
  predictor: string;
  costMetrics: readonly string[];
}

export interface KnownFront {
  /** Run folders whose front.json was of this task (the excluded one not counted). */
  runs: number;
  /** Their fronts' non-dominated union, as objective vectors. */
  points: number[][];
}

const sameTask = (f: FrontFile, t: Task): boolean =>
  f.space === t.space &&
  f.dataset === t.dataset &&
  f.predictor?.id === t.predictor &&
  Array.isArray(f.costMetrics) &&
  f.costMetrics.length === t.costMetrics.length &&
  f.costMetrics.every((m, i) => m === t.costMetrics[i]);

/** Non-dominated points of a set (duplicates kept once). */
export function frontOf(points: readonly Objectives[]): number[][] {
  const seen = new Set<string>();
  return nonDominated(points)
    .map((i) => [...points[i]!])
    .filter((p) => {
      const k = p.join(',');
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
}

/** The best front the other run folders under `runsRoot` know for `task` (`exclude`: this run's folder). */
export function knownFrontOf(runsRoot: string | undefined, task: Task, exclude?: string): KnownFront {
  const pts: number[][] = [];
  let runs = 0;
  if (!runsRoot || !fs.existsSync(runsRoot)) return { runs, points: [] };
  const skip = exclude ? path.resolve(exclude) : undefined;
  for (const d of fs.readdirSync(runsRoot)) {
    const dir = path.resolve(runsRoot, d);
    if (dir === skip) continue;
    let f: FrontFile;
    try {
      f = JSON.parse(fs.readFileSync(path.join(dir, 'front.json'), 'utf8')) as FrontFile;
    } catch {
      continue; // not a run folder, or no generation completed yet
    }
    if (!sameTask(f, task) || !Array.isArray(f.front)) continue;
    const own = f.front
      .map((e) => objectiveVector(e, task.costMetrics))
      .filter((v) => v.every(Number.isFinite));
    if (!own.length) continue;
    runs++;
    pts.push(...own);
  }
  return { runs, points: pts.length ? frontOf(pts) : [] };
}

/**
 * HV of `found` over HV of `reference` (both normalised by the reference's ideal and nadir, reference point 1.1
 * in every objective, as the benchmark protocol scores against a true front). `reference` should hold `found`'s
 * own best points (the union), so the ratio is at most 1; undefined for an empty reference or > 3 objectives.
 */
export function hvRatioAgainst(
  reference: readonly Objectives[],
  found: readonly Objectives[],
): number | undefined {
  if (!reference.length) return undefined;
  const m = reference[0]!.length;
  if (m < 2 || m > 3) return undefined;
  const b = boundsOf(reference);
  const hv = (pts: number[][]): number =>
    m === 2 ? hypervolume2d(pts, [1.1, 1.1]) : hypervolume3d(pts, [1.1, 1.1, 1.1]);
  const whole = hv(normalise(reference, b));
  return whole > 0 ? hv(normalise(found, b)) / whole : undefined;
}
