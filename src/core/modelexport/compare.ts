// Comparing runs of one task (same space, dataset and cost metrics): each run's front size; on benchmark spaces
// the HV ratio and IGD against the true front (the provider's scoreTruth, i.e. the protocol's metric functions);
// on every space the HV and IGD against the union of the runs' fronts; and which run owns the union front in
// which part of the cost range. Objectives are minimised: [error or −predicted accuracy, cost metrics…].

import fs from 'node:fs';
import path from 'node:path';
import { scoreFront } from '../metrics.js';
import { nonDominated, type Objectives } from '../pareto.js';
import { createRegistry } from '../compose.js';
import type { FrontFile } from '../run.js';
import { RunFolderError, RunStore, type RunConfig, type SpecFile } from '../runstore.js';

/** Runs that cannot be compared or plotted together (different tasks, too few runs). */
export class CompareError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CompareError';
  }
}

export interface RunPoints {
  dir: string;
  name: string;
  config: RunConfig;
  specs: SpecFile[];
  front: FrontFile;
  /** What the accuracy axis is: the benchmark's true accuracy when every front member has it, else predicted. */
  accuracy: 'true' | 'predicted';
}

export function loadRunPoints(dir: string): RunPoints {
  const store = RunStore.open(dir);
  const config = store.readConfig();
  const f = store.file('front.json');
  if (!fs.existsSync(f))
    throw new RunFolderError(f, 'not found — the run has not completed a generation yet');
  const front = JSON.parse(fs.readFileSync(f, 'utf8')) as FrontFile;
  const specs = store.readSpecs();
  const accuracy =
    specs.length > 0 && specs.every((s) => typeof s.evaluation.trueAccuracy === 'number')
      ? 'true'
      : 'predicted';
  return { dir: store.dir, name: path.basename(store.dir), config, specs, front, accuracy };
}

/** A spec's objective vector (minimised). */
export function objectivesOf(
  s: {
    evaluation?: SpecFile['evaluation'];
    predictedAccuracy?: number;
    hw?: Record<string, number>;
    trueAccuracy?: number;
  },
  costMetrics: readonly string[],
  accuracy: 'true' | 'predicted',
): number[] {
  const ev = s.evaluation ?? {
    predictedAccuracy: s.predictedAccuracy!,
    hw: s.hw!,
    proxies: {},
    ...(s.trueAccuracy !== undefined ? { trueAccuracy: s.trueAccuracy } : {}),
  };
  const acc = accuracy === 'true' ? 100 - ev.trueAccuracy! : -ev.predictedAccuracy;
  return [acc, ...costMetrics.map((m) => ev.hw[m]!)];
}

export interface RunComparison {
  name: string;
  dir: string;
  frontSize: number;
  evaluations: number;
  predictor: string;
  /** Benchmark spaces: against the true front (protocol). */
  truth?: { hvRatio: number; igd: number };
  /** Against the union of the compared runs' fronts (normalised to it, reference 1.1). */
  union: { hvRatio: number; igd: number; pointsOnUnion: number };
}

export interface CompareResult {
  space: string;
  dataset: string;
  costMetrics: string[];
  accuracy: 'true' | 'predicted';
  unionSize: number;
  runs: RunComparison[];
  /** The union front cut into equal-width ranges of the first cost metric: who owns each range. */
  regions: { from: number; to: number; owners: { name: string; points: number }[] }[];
  notes: string[];
}

export function compareRuns(dirs: readonly string[], regions = 4): CompareResult {
  if (dirs.length < 2) throw new CompareError('compare needs at least two run folders');
  const runs = dirs.map(loadRunPoints);
  const a = runs[0]!;
  const notes: string[] = [];
  for (const r of runs.slice(1)) {
    const same =
      r.config.space === a.config.space &&
      r.config.dataset === a.config.dataset &&
      r.config.costMetrics.join(',') === a.config.costMetrics.join(',');
    if (!same)
      throw new CompareError(
        `${r.name} (${r.config.space}/${r.config.dataset}/${r.config.costMetrics.join('+')}) is not the task of ` +
          `${a.name} (${a.config.space}/${a.config.dataset}/${a.config.costMetrics.join('+')}): compare runs of one task`,
      );
  }
  const accuracy = runs.every((r) => r.accuracy === 'true') ? 'true' : 'predicted';
  if (accuracy === 'predicted' && new Set(runs.map((r) => r.front.predictor.id)).size > 1)
    notes.push(
      'the runs use different predictors, so their predicted accuracies are on different scales: the union ' +
        'comparison mixes units',
    );
  const cm = a.config.costMetrics;
  // each run's front: recomputed from its front.json entries under the compared objectives
  const fronts = runs.map((r) => {
    const pts = r.front.front.map((e) => objectivesOf(e, cm, accuracy));
    return nonDominated(pts).map((i) => pts[i]!);
  });
  const all: { p: Objectives; run: number }[] = fronts.flatMap((f, run) => f.map((p) => ({ p, run })));
  const unionIdx = nonDominated(all.map((x) => x.p));
  const union = unionIdx.map((i) => all[i]!);
  const unionPts = union.map((u) => u.p);
  const provider = createRegistry().providerOf(a.config);
  const out: RunComparison[] = runs.map((r, i) => {
    const s = scoreFront(unionPts, fronts[i]!);
    let truth: RunComparison['truth'];
    const score = provider.build(r.config).scoreTruth;
    if (score) {
      const t = score(r.specs as unknown as Record<string, unknown>[]);
      truth = { hvRatio: t.hvRatio, igd: t.igd };
    }
    return {
      name: r.name,
      dir: r.dir,
      frontSize: r.front.front.length,
      evaluations: r.specs.length,
      predictor: r.front.predictor.id,
      ...(truth ? { truth } : {}),
      union: { hvRatio: s.hvRatio, igd: s.igd, pointsOnUnion: union.filter((u) => u.run === i).length },
    };
  });
  // regions of the first cost metric over the union front
  const costs = unionPts.map((p) => p[1]!);
  const lo = Math.min(...costs);
  const hi = Math.max(...costs);
  const k = hi > lo ? regions : 1;
  const reg: CompareResult['regions'] = [];
  for (let b = 0; b < k; b++) {
    const from = lo + ((hi - lo) * b) / k;
    const to = lo + ((hi - lo) * (b + 1)) / k;
    const inside = union.filter((u) => {
      const c = u.p[1]!;
      return c >= from && (b === k - 1 ? c <= to : c < to);
    });
    const counts = runs
      .map((r, i) => ({ name: r.name, points: inside.filter((u) => u.run === i).length }))
      .filter((o) => o.points > 0)
      .sort((x, y) => y.points - x.points);
    reg.push({ from, to, owners: counts });
  }
  return {
    space: a.config.space,
    dataset: a.config.dataset,
    costMetrics: cm,
    accuracy,
    unionSize: union.length,
    runs: out,
    regions: reg,
    notes,
  };
}

const f4 = (x: number): string => (Number.isFinite(x) ? x.toFixed(4) : String(x));

export function compareMarkdown(c: CompareResult): string {
  const truth = c.runs.some((r) => r.truth);
  const accName = c.accuracy === 'true' ? 'true test error' : 'predicted accuracy';
  const lines = [
    `Task: ${c.space} / ${c.dataset} / ${c.costMetrics.join(' + ')}; objectives ${accName} and ${c.costMetrics.join(', ')}. ` +
      `Union of the fronts: ${c.unionSize} points.`,
    '',
    `| run | evaluated | front size |${truth ? ' HV ratio (true front) | IGD (true front) |' : ''} HV vs union | IGD vs union | points on the union front |`,
    `|---|---:|---:|${truth ? '---:|---:|' : ''}---:|---:|---:|`,
    ...c.runs.map(
      (r) =>
        `| ${r.name} | ${r.evaluations} | ${r.frontSize} |${truth ? ` ${r.truth ? f4(r.truth.hvRatio) : '—'} | ${r.truth ? f4(r.truth.igd) : '—'} |` : ''} ` +
        `${f4(r.union.hvRatio)} | ${f4(r.union.igd)} | ${r.union.pointsOnUnion} |`,
    ),
    '',
    `Who owns the union front, by ${c.costMetrics[0]}:`,
    '',
    `| ${c.costMetrics[0]} range | run (union-front points) |`,
    '|---|---|',
    ...c.regions.map(
      (g) =>
        `| ${g.from.toPrecision(4)} – ${g.to.toPrecision(4)} | ${g.owners.length ? g.owners.map((o) => `${o.name} (${o.points})`).join(', ') : '—'} |`,
    ),
  ];
  for (const n of c.notes) lines.push('', `Note: ${n}.`);
  return lines.join('\n') + '\n';
}
