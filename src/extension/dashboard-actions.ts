// The dashboard's model and picture actions that need no VS Code: where a file goes in the run folder, the run's
// plot as SVG or PNG (the same renderer and data as `llm-nas plot`), and a measurement as the panel shows it.
// Loaded on first use (the core's plot and compare modules, resvg for PNG).

import fs from 'node:fs';
import path from 'node:path';
import type { MeasuredHere, ModelFormat, PictureFormat } from '../protocol.js';

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
