// Pure helpers of the dashboard (no DOM; unit tested in test/unit/webview-format.test.ts): labels with units,
// the coverage count, the generation wording. Never imports host code.

import type { CoverageBin, MeasuredHere, RunSummary } from '../src/protocol.js';

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
