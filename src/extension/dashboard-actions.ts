// The dashboard's model and picture actions that need no VS Code: where a file goes in the run folder, the run's
// plot as SVG or PNG (the same renderer and data as `llm-nas plot`), and a measurement as the panel shows it.
// Loaded on first use (the core's plot and compare modules, resvg for PNG).

import fs from 'node:fs';
import path from 'node:path';
import type { MeasuredHere, ModelFormat, OverlayRun, PictureFormat } from '../protocol.js';

/** An architecture id as spec files name them (archs/<id>.json); anything else is refused. */
export function checkArchId(id: string): string {
  if (!/^[\w.-]+$/.test(id) || id.startsWith('.')) throw new Error(`not an architecture id: ${id}`);
  return id;
}

/** <run>/models/<id>.py|.onnx */
export function modelPath(runDir: string, id: string, format: ModelFormat): string {
  return path.join(runDir, 'models', `${checkArchId(id)}.${format === 'pytorch' ? 'py' : 'onnx'}`);
}

/** <run>/plots/pareto.svg|.png */
export function plotPath(runDir: string, format: PictureFormat): string {
  return path.join(runDir, 'plots', `pareto.${format}`);
}

/** Renders the runs' Pareto plot and HV history (first run first) and writes it to `out`; returns its size. */
export async function writeRunPlot(
  dirs: readonly string[],
  format: PictureFormat,
  out: string,
): Promise<number> {
  const { plotData, plotSvg, svgToPng } = await import('../core/modelexport/plot.js');
  const svg = plotSvg(plotData(dirs));
  const bytes = format === 'svg' ? Buffer.from(svg, 'utf8') : await svgToPng(svg);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, bytes);
  return bytes.length;
}

/** What the panel gets from a measurement (src/core/modelexport/measure.ts's Measured). */
export function measuredHere(
  archId: string,
  m: {
    medianMs: number;
    label: 'measured here';
    context: string;
    options: { batch: number; threads: number; runs: number };
  },
): MeasuredHere {
  return {
    archId,
    medianMs: m.medianMs,
    label: m.label,
    context: m.context,
    batch: m.options.batch,
    threads: m.options.threads,
    runs: m.options.runs,
  };
}

/** Runs of the same task beside `dir` (siblings with a config.json and a front.json), newest name last. */
export function overlayCandidates(dir: string): { dir: string; name: string }[] {
  const parent = path.dirname(path.resolve(dir));
  const task = readTask(dir);
  const out: { dir: string; name: string }[] = [];
  for (const name of fs.readdirSync(parent).sort()) {
    const d = path.join(parent, name);
    if (d === path.resolve(dir) || !fs.existsSync(path.join(d, 'front.json'))) continue;
    try {
      if (readTask(d) === task) out.push({ dir: d, name });
    } catch {
      // not a run folder
    }
  }
  return out;
}

function readTask(dir: string): string {
  const c = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as {
    space: string;
    dataset: string;
    costMetrics: string[];
  };
  return `${c.space}/${c.dataset}/${c.costMetrics.join('+')}`;
}

/**
 * The fronts of `others` in the axes of the run in `dir` (the core's run loader, as `llm-nas compare` and
 * `plot` read runs): each front member's predicted accuracy, cost metrics in `dir`'s order, benchmark accuracy.
 */
export async function overlayFronts(dir: string, others: readonly string[]): Promise<OverlayRun[]> {
  const { CompareError, loadRunPoints } = await import('../core/modelexport/compare.js');
  const base = loadRunPoints(dir);
  const cm = base.config.costMetrics;
  return others.map((o) => {
    const r = loadRunPoints(o);
    const same =
      r.config.space === base.config.space &&
      r.config.dataset === base.config.dataset &&
      cm.every((m) => r.config.costMetrics.includes(m));
    if (!same)
      throw new CompareError(
        `${r.name} is not a run of ${base.config.space}/${base.config.dataset} with ${cm.join(', ')}: overlay runs of one task`,
      );
    const byId = new Map(r.specs.map((s) => [s.id, s]));
    const front = r.front.front.flatMap((f) => {
      const s = byId.get(f.id);
      if (!s) return [];
      const ev = s.evaluation;
      return [
        {
          id: s.id,
          predicted: ev.predictedAccuracy,
          hw: cm.map((m) => ev.hw[m]!),
          ...(ev.trueAccuracy !== undefined ? { truth: ev.trueAccuracy } : {}),
        },
      ];
    });
    return { name: r.name, dir: r.dir, front };
  });
}
