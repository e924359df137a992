// Pure helpers of the dashboard (no DOM; unit tested in test/unit/webview-format.test.ts and editor-ui.test.ts):
// labels with units, the coverage count, the generation wording, the header's lines and which run controls
// show, the plot's summary, the quality tab's note, the front table's rows and the log's window. Never imports
// host code.

import type {
  CoverageBin,
  HistoryRow,
  MeasuredHere,
  NicheCard,
  PlotPoint,
  RunSummary,
} from '../src/protocol.js';

/** "edgegpu_latency" → "latency". */
export function shortMetric(m: string | undefined): string {
  if (!m) return 'cost';
  return m.split('_').slice(1).join(' ') || m;
}

/** "edgegpu latency (ms)": a cost metric with its unit, for axes, table headers and tooltips. */
export function metricLabel(m: string, unit: string | undefined): string {
  const words = m.replace(/_/g, ' ');
  return unit ? `${words} (${unit})` : words;
}

/** Coverage of a strip: ranges the reference has (wanted), those the front reaches (hit), and hits outside. */
export function coverageCount(bins: readonly CoverageBin[]): {
  hit: number;
  wanted: number;
  outside: number;
} {
  let hit = 0;
  let wanted = 0;
  let outside = 0;
  for (const b of bins) {
    if (b.wanted) wanted++;
    if (b.wanted && b.hit) hit++;
    if (!b.wanted && b.hit) outside++;
  }
  return { hit, wanted, outside };
}

/** The cell's class: covered (the reference has a point there and so does the front), missed, or outside. */
export function coverageClass(b: CoverageBin): string {
  if (b.wanted && b.hit) return 'bin wanted hit';
  if (b.wanted) return 'bin wanted';
  if (b.hit) return 'bin outside';
  return 'bin';
}

/**
 * The header's progress line. Generations are numbered from 0 everywhere (as in the spec files, kb/gen-NN.md,
 * prompts and the CLI): k generations done means generation k is the next (or running) one.
 */
export function progressLine(
  r: Pick<RunSummary, 'generation' | 'generations' | 'evaluations' | 'budget' | 'phase'>,
): string {
  const done = Math.max(0, r.generation + 1);
  const next =
    r.phase === 'completed' || done >= r.generations
      ? ''
      : r.phase === 'running' || r.phase === 'pausing'
        ? ` · generation ${done} running`
        : ` · generation ${done} next`;
  return `${done} of ${r.generations} generations done${next} · ${r.evaluations} / ${r.budget} evaluated`;
}

/** The phase badge's text. */
export function phaseLabel(r: Pick<RunSummary, 'phase' | 'stepping'>): string {
  if (r.phase === 'pausing') return 'pausing…';
  if (r.phase === 'paused') return r.stepping ? 'paused (step mode)' : 'paused';
  return r.phase;
}

/** "2.5 s", "12 min" (ETA in the header). */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '?';
  if (s < 90) return `${Math.round(s)} s`;
  const m = Math.round(s / 60);
  return m < 60 ? `${m} min` : `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/**
 * How the global front is drawn. It is chosen on predicted accuracy, so a line through it means something only on
 * that axis; against the benchmark's true accuracy the same members zig-zag, so they are markers there.
 */
export function frontStyle(y: 'predicted' | 'truth'): { showLine: boolean; label: string } {
  return y === 'truth'
    ? { showLine: false, label: 'Global front (chosen on predicted accuracy)' }
    : { showLine: true, label: 'Global front' };
}

/** Tooltip items, each architecture once (a front or pinned point is drawn in two datasets). */
export function firstOfEachId<T>(items: readonly T[], idOf: (x: T) => string | undefined): T[] {
  const seen = new Set<string>();
  return items.filter((x) => {
    const id = idOf(x);
    if (id === undefined) return true;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** "0.84 ms measured here": a latency timed on this machine, never mistaken for a lookup-table figure. */
export function measuredText(m: Pick<MeasuredHere, 'medianMs' | 'label'>): string {
  const d = m.medianMs >= 100 ? 0 : m.medianMs >= 10 ? 1 : 2;
  return `${m.medianMs.toFixed(d)} ms ${m.label}`;
}

/** The tooltip of a measured-here figure: what it was measured on and how. */
export function measuredTitle(m: MeasuredHere): string {
  return `CPU latency ${m.label} (batch ${m.batch}, ${m.threads} thread${m.threads === 1 ? '' : 's'}, median of ${m.runs}) — not the lookup table's device. ${m.context}`;
}

/** The header's second line: space, dataset, cost metrics with units, operator, predictor and folder. */
export function runSubtitle(
  r: Pick<RunSummary, 'space' | 'dataset' | 'costMetrics' | 'costUnits' | 'operator' | 'predictor' | 'dir'>,
): string {
  return `${r.space} · ${r.dataset} · ${r.costMetrics.map((m, i) => metricLabel(m, r.costUnits[i])).join(' + ')} · operator ${r.operator} · predictor ${r.predictor} · ${r.dir}`;
}

/** The ETA after the progress line while the run is evaluating ('' when the rate is not known yet). */
export function etaText(
  r: Pick<RunSummary, 'secondsPerEvaluation' | 'phase' | 'budget' | 'evaluations'>,
): string {
  return r.secondsPerEvaluation !== undefined && (r.phase === 'running' || r.phase === 'pausing')
    ? ` · about ${formatSeconds(r.secondsPerEvaluation * Math.max(0, r.budget - r.evaluations))} left (${r.secondsPerEvaluation.toFixed(2)} s per evaluation)`
    : '';
}

/** Which run controls are hidden in a phase (a folder opened for viewing has only Resume run). */
export function hiddenControls(r: Pick<RunSummary, 'live' | 'phase' | 'operator'>): {
  pause: boolean;
  resume: boolean;
  step: boolean;
  stop: boolean;
  resumeFolder: boolean;
  testConnection: boolean;
} {
  const active = r.live && (r.phase === 'running' || r.phase === 'paused' || r.phase === 'pausing');
  return {
    pause: !(r.live && r.phase === 'running'),
    resume: !(r.live && (r.phase === 'paused' || r.phase === 'pausing')),
    step: !active,
    stop: !(r.live && (active || r.phase === 'stopping')),
    resumeFolder: !(r.phase === 'interrupted' || r.phase === 'stopped' || (r.phase === 'failed' && !r.live)),
    testConnection: r.operator === 'builtin',
  };
}

/** A niche card's generation row. */
export function cardGeneration(
  c: Pick<NicheCard, 'phase' | 'generation'>,
  r: Pick<RunSummary, 'generations'> | undefined,
): string {
  return c.phase === 'done'
    ? `all ${r?.generations ?? ''} done`
    : `${c.generation} (of 0–${(r?.generations ?? 1) - 1})`;
}

/** The plot's one-line summary: points, front size, pins and hidden niches. */
export function plotSummary(points: number, front: number, pins: number, hiddenNiches: number): string {
  return `${points} points · ${front} on the front${pins ? ` · ${pins} pinned` : ''}${hiddenNiches ? ` · ${hiddenNiches} niche${hiddenNiches > 1 ? 's' : ''} hidden` : ''}`;
}

/** The front table's rows: the front's members (ids without a point are skipped) by their first cost. */
export function frontMembers(points: readonly PlotPoint[], front: readonly string[]): PlotPoint[] {
  const byId = new Map(points.map((p) => [p.id, p]));
  const members = front.map((id) => byId.get(id)).filter((p) => p !== undefined);
  members.sort((a, b) => (a.hw[0] ?? 0) - (b.hw[0] ?? 0));
  return members;
}

/** The front table's "why" cell: the operator and its rationale. */
export function whyText(p: Pick<PlotPoint, 'operator' | 'rationale'>): string {
  return p.rationale ? `${p.operator ? `${p.operator}: ` : ''}${p.rationale}` : '';
}

/** What the quality tab can show: true-front HV/IGD, or HV against the best front known, or neither. */
export function qualityBasis(rows: readonly HistoryRow[]): { hasTruth: boolean; hasKnown: boolean } {
  const hasTruth = rows.some((r) => r.hvRatio !== undefined);
  // no true front: HV against the best front known (earlier runs of the same task in the runs folder)
  const hasKnown = !hasTruth && rows.some((r) => r.knownHvRatio !== undefined);
  return { hasTruth, hasKnown };
}

/** The quality tab's note: what its chart and table measure for this run. */
export function qualityNote(
  hasTruth: boolean,
  hasKnown: boolean,
  known: RunSummary['knownFront'],
  space: string,
): string {
  const noTruth = `No true-front HV or IGD for ${space}: it has no benchmark table of true accuracies (its accuracy is the predictor’s score).`;
  return hasTruth
    ? 'HV ratio and IGD of the protocol front (scored with the benchmark’s true accuracy and cost) after each generation (numbered from 0).'
    : hasKnown && known
      ? `${noTruth} “HV vs best known”: HV of the run’s front (predicted score and cost) over HV of the best front known — this run’s so far and ${known.runs} earlier run${known.runs === 1 ? '’s' : 's’'} of the same space, dataset, predictor and cost metrics in the runs folder. 1 = as good as the best known (not a true optimum).`
      : `${noTruth} No earlier run of the same space, dataset, predictor and cost metrics in the runs folder to compare with; the table shows the size of the run’s own front per generation.`;
}

/** The tooltip (and accessible name, with "to" for the dash) of one coverage cell. */
export function coverageCellText(b: CoverageBin, lo: string, hi: string, unit: string, dash = '–'): string {
  return `${lo} ${dash} ${hi} ${unit}: ${b.wanted ? (b.hit ? 'covered' : 'missed') : b.hit ? 'front point outside the reference' : 'no reference point'}`;
}

/** A coverage strip's count line. */
export function coverageLine(
  c: { hit: number; wanted: number; outside: number },
  basis: 'true-front' | 'evaluated',
): string {
  return `${c.hit} of ${c.wanted} ranges of the ${basis === 'true-front' ? 'true front' : 'evaluated set'} covered${c.outside ? ` (+${c.outside} outside it)` : ''}`;
}

/** Lines kept in the Log tab. */
export const LOG_LINES = 400;

/** The log's text after new lines: the last LOG_LINES lines (the text ends with a newline). */
export function logWindow(text: string, lines: readonly string[]): string {
  if (!lines.length) return text;
  return (text + lines.join('\n') + '\n').split('\n').slice(-LOG_LINES).join('\n');
}
